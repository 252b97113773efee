// TRAIN's launch params (launchTraining's arguments, launchRun's params).
import { z } from "zod";
import { id, json, optionalInt, optionalString } from "../shared/params";

export const trainLaunchParams = z.strictObject({
  datasetId: id,
  trainerId: id,
  seed: optionalInt,
  /** Over the trainer's defaultParams; checked to be a JSON object by checkTrainer. */
  params: json,
  group: optionalString(200),
  maxAttempts: optionalInt,
  /** Overrides the kind's configured executor ("local", "slurm"). */
  executor: optionalString(40),
  /** gpus, cpus, memoryGb, timeLimit, partition; over the kind's defaults. */
  resources: json,
});

export type LaunchTrainingInput = z.infer<typeof trainLaunchParams>;
