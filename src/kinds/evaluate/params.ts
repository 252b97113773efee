// EVALUATE's launch params (launchEvaluation's input, launchRun's params).
import { z } from "zod";
import { executorOverride, id, optionalInt, optionalString } from "../shared/params";

const benchmark = z.strictObject({
  name: z.string().min(1).max(200),
  dataPath: optionalString(4096),
  features: z
    .strictObject({ original: z.string().max(4096), flipped: optionalString(4096), issame: optionalString(4096) })
    .nullish(),
});

export const evaluateLaunchParams = z.strictObject({
  /** One run per face model; none: one run over precomputed features. */
  faceModelIds: z.array(id).max(100).nullish(),
  benchmarks: z.array(benchmark).max(100),
  options: z
    .strictObject({
      batchSize: optionalInt,
      allowNonStandardSize: z.boolean().nullish(),
      useDetectorScore: z.boolean().nullish(),
      alignment: optionalString(40),
      datasetId: id.nullish(),
      seed: optionalInt,
      group: optionalString(200),
      maxAttempts: optionalInt,
    })
    .nullish(),
  ...executorOverride,
});

export type LaunchEvaluationInput = z.infer<typeof evaluateLaunchParams>;
export type EvaluationBenchmarkInput = z.infer<typeof benchmark>;
