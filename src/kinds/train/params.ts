// TRAIN's launch params (launchTraining's arguments, launchRun's params).
import { z } from "zod";
import { executorOverride, id, json, optionalInt, optionalString } from "../shared/params";

export const trainLaunchParams = z.strictObject({
  datasetId: id,
  trainerId: id,
  seed: optionalInt,
  /** Over the trainer's defaultParams; checked to be a JSON object by checkTrainer. */
  params: json,
  group: optionalString(200),
  maxAttempts: optionalInt,
  ...executorOverride,
});

export type LaunchTrainingInput = z.infer<typeof trainLaunchParams>;
