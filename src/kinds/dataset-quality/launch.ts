// DATASET_QUALITY's launch: one run that embeds a transferred dataset and a real reference set
// with a face model. Filed under the evaluated dataset and its transfer method, so the quality
// values line up with the leaderboard's rows for that dataset.
import type { Prisma } from "../../generated/prisma/client";
import { badInput } from "../../errors";
import { executorColumns } from "../../executors/executor-registry";
import type { DatasetQualityParams } from "../../runners/quality/params";
import type { RunPlan } from "../../services/run-plan";
import type { KindLaunchContext } from "../kind";
import type { LaunchDatasetQualityInput } from "./params";

const BATCH_SIZE = 64;
const MAX_PAIRS = 2_000_000;

/** Every launch check of a dataset-quality run, and the run it would queue; writes nothing. */
export async function planDatasetQuality(input: LaunchDatasetQualityInput, { checks, executors }: KindLaunchContext): Promise<RunPlan> {
  const limit = input.limit ?? null;
  if (limit !== null && (!Number.isInteger(limit) || limit < 2)) throw badInput("limit", `must be an integer >= 2, got ${limit}`);
  if (input.datasetId === input.referenceDatasetId) throw badInput("referenceDatasetId", "must differ from the evaluated dataset");
  // Quality of an archived dataset may still be measured (as before it became a kind).
  const purpose = { purpose: "to read images from", archivedToo: true };
  const evaluated = await checks.datasetFolder("datasetId", input.datasetId, purpose);
  const reference = await checks.datasetFolder("referenceDatasetId", input.referenceDatasetId, purpose);
  const { model } = await checks.faceModel("faceModelId", input.faceModelId);
  const params: DatasetQualityParams = {
    datasetId: evaluated.dataset.id,
    datasetDir: evaluated.dir,
    referenceDatasetId: reference.dataset.id,
    referenceDir: reference.dir,
    faceModelId: model.id,
    limit,
    batchSize: BATCH_SIZE,
    maxPairs: MAX_PAIRS,
  };
  const choice = await executors.choose("DATASET_QUALITY", input.executor, input.resources);
  return {
    ...executorColumns(choice),
    kind: "DATASET_QUALITY",
    name: `quality of ${evaluated.dataset.name} vs ${reference.dataset.name} (${model.name})`,
    faceModelId: model.id,
    datasetId: evaluated.dataset.id,
    transferMethodId: evaluated.dataset.transferMethodId ?? null,
    seed: null,
    group: null,
    params: params as unknown as Prisma.InputJsonObject,
    maxAttempts: 1,
  };
}
