// The DATASET_QUALITY kind: how real a transferred dataset looks to a face model (Fréchet
// distance to a real reference set, identity separability), stored as quality:* metrics.
import { runDatasetQualityJob } from "../../worker/jobs/dataset-quality-job";
import { defineKind } from "../kind";
import { planDatasetQuality } from "./launch";
import { datasetQualityLaunchParams } from "./params";

export const datasetQualityKind = defineKind({
  name: "DATASET_QUALITY",
  label: "Dataset quality",
  description: "Measures a transferred dataset against a real reference set with a face model: Fréchet distance and identity separability.",
  params: datasetQualityLaunchParams,
  plan: async (params, context) => [await planDatasetQuality(params, context)],
  job: runDatasetQualityJob,
  launchMutations: ["launchDatasetQuality"],
});
