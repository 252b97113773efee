// DATASET_QUALITY's launch params (launchDatasetQuality's arguments, launchRun's params).
import { z } from "zod";
import { executorOverride, id, optionalInt } from "../shared/params";

export const datasetQualityLaunchParams = z.strictObject({
  datasetId: id,
  faceModelId: id,
  referenceDatasetId: id,
  limit: optionalInt,
  ...executorOverride,
});

export type LaunchDatasetQualityInput = z.infer<typeof datasetQualityLaunchParams>;
