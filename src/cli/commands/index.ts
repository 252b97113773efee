import type { Command } from "../command";
import { cancel } from "./cancel";
import { launchEvaluate } from "./launch-evaluate";
import { launchPipeline } from "./launch-pipeline";
import { launchTrain } from "./launch-train";
import { launchTransfer } from "./launch-transfer";
import { leaderboard } from "./leaderboard";
import { pipelineResume } from "./pipeline-resume";
import { runs } from "./runs";
import { watch } from "./watch";

/** Every command, in help order. */
export const COMMANDS: Command[] = [launchTransfer, launchEvaluate, launchTrain, launchPipeline, pipelineResume, watch, runs, cancel, leaderboard];

/** Words that only group commands ("launch" -> "launch transfer", ...). */
export const GROUPS: Record<string, string> = {
  launch: "Queue a transfer, an evaluation, a training or a whole pipeline",
  pipeline: "Work with launched pipelines (resume)",
};
