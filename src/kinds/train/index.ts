// The TRAIN kind: an external trainer (the trainer contract: API URL + run token + JSON lines)
// trains a face recognition model on a dataset and exports it as ONNX.
import { runTrainJob } from "../../worker/jobs/train-job";
import { defineKind } from "../kind";
import { planTraining } from "./launch";
import { trainLaunchParams } from "./params";

export const trainKind = defineKind({
  name: "TRAIN",
  label: "Training",
  description: "Trains a face recognition model on a dataset with a registered trainer, which exports an ONNX face model.",
  params: trainLaunchParams,
  plan: async (params, context) => [await planTraining(params, context)],
  job: runTrainJob,
  launchMutations: ["launchTraining"],
});
