import type { Command } from "../command";
import { archiveCommands } from "./archive";
import { cancel } from "./cancel";
import { datasetsDescribe, datasetsList, datasetsRegister, datasetsSetFolder } from "./datasets";
import { launchEvaluate } from "./launch-evaluate";
import { launchPipeline } from "./launch-pipeline";
import { launchTrain } from "./launch-train";
import { launchTransfer } from "./launch-transfer";
import { leaderboard } from "./leaderboard";
import { methodsAttachModel, methodsDescribe, methodsList, methodsRegister } from "./methods";
import { modelsList, modelsRegister } from "./models";
import { pipelineResume } from "./pipeline-resume";
import { note, tag } from "./run-annotations";
import { runs } from "./runs";
import { runsShow } from "./runs-show";
import { trainersList, trainersRegister } from "./trainers";
import { watch } from "./watch";

/** Every command, in help order. */
export const COMMANDS: Command[] = [
  datasetsList,
  datasetsRegister,
  datasetsSetFolder,
  datasetsDescribe,
  methodsList,
  methodsRegister,
  methodsAttachModel,
  methodsDescribe,
  trainersList,
  trainersRegister,
  modelsList,
  modelsRegister,
  launchTransfer,
  launchEvaluate,
  launchTrain,
  launchPipeline,
  pipelineResume,
  watch,
  runs,
  runsShow,
  tag,
  note,
  cancel,
  ...archiveCommands,
  leaderboard,
];

/** Words that only group commands ("launch" -> "launch transfer", ...). */
export const GROUPS: Record<string, string> = {
  launch: "Queue a transfer, an evaluation, a training or a whole pipeline",
  datasets: "List, register and edit datasets",
  methods: "List, register and edit transfer methods (attach a model to a paper method)",
  trainers: "List and register external trainers",
  models: "List and register face-recognition models",
  archive: "Hide runs, datasets or methods from lists and the leaderboard",
  restore: "Bring archived runs, datasets or methods back",
  pipeline: "Work with launched pipelines (resume)",
  // "runs" alone lists runs; "runs show RUN_ID" is one run.
  runs: "List runs, or show one (runs show RUN_ID)",
};
