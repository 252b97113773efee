// Launching a dataset-quality run: one EVALUATE run (params.mode "dataset-quality") that embeds a
// transferred dataset and a real reference set with a face model. Validated in full, then the run
// row and its job in one transaction. Filed under the evaluated dataset and its transfer method,
// so the quality values line up with the leaderboard's rows for that dataset.
import type { Stores } from "../db/stores";
import type { Dataset, Prisma, Run } from "../generated/prisma/client";
import { badInput } from "../errors";
import { isEmbeddingSpec, ModelInputSpecError, parseModelInputSpec } from "../models/input-spec";
import { DATASET_QUALITY_MODE, type DatasetQualityParams } from "../runners/quality/params";
import type { DataPaths } from "./data-paths";

export interface LaunchDatasetQualityInput {
  datasetId: string;
  faceModelId: string;
  referenceDatasetId: string;
  limit?: number | null;
}

const BATCH_SIZE = 64;
const MAX_PAIRS = 2_000_000;

export function createDatasetQualityLaunchService(stores: Stores, paths: DataPaths) {
  async function datasetFolder(field: string, id: string): Promise<{ dataset: Dataset; dir: string }> {
    const [dataset] = await stores.catalogue.datasetsByIds([id]);
    if (!dataset) throw badInput(field, `dataset ${JSON.stringify(id)} does not exist`);
    if (!dataset.uri) throw badInput(field, `dataset ${dataset.name} has no folder (uri) to read images from`);
    return { dataset, dir: await paths.resolveExisting(field, dataset.uri, "directory") };
  }

  async function checkFaceModel(id: string) {
    const [model] = await stores.catalogue.faceModelsByIds([id]);
    if (!model) throw badInput("faceModelId", `face model ${JSON.stringify(id)} does not exist`);
    try {
      const spec = parseModelInputSpec(model.inputSpec);
      if (!isEmbeddingSpec(spec)) throw badInput("faceModelId", `face model ${model.name}'s input spec has output kind "${spec.output.kind}", not "embedding"`);
    } catch (error) {
      if (error instanceof ModelInputSpecError) throw badInput("faceModelId", `face model ${model.name}: ${error.message}`);
      throw error;
    }
    await paths.resolveExisting("faceModelId", model.modelPath, "file");
    return model;
  }

  return {
    async launchDatasetQuality(input: LaunchDatasetQualityInput): Promise<Run> {
      const limit = input.limit ?? null;
      if (limit !== null && (!Number.isInteger(limit) || limit < 2)) throw badInput("limit", `must be an integer >= 2, got ${limit}`);
      if (input.datasetId === input.referenceDatasetId) throw badInput("referenceDatasetId", "must differ from the evaluated dataset");
      const evaluated = await datasetFolder("datasetId", input.datasetId);
      const reference = await datasetFolder("referenceDatasetId", input.referenceDatasetId);
      const model = await checkFaceModel(input.faceModelId);
      const params: DatasetQualityParams = {
        mode: DATASET_QUALITY_MODE,
        datasetId: evaluated.dataset.id,
        datasetDir: evaluated.dir,
        referenceDatasetId: reference.dataset.id,
        referenceDir: reference.dir,
        faceModelId: model.id,
        limit,
        batchSize: BATCH_SIZE,
        maxPairs: MAX_PAIRS,
      };
      return stores.transaction(async (tx) => {
        const run = await tx.queueNewRun({
          kind: "EVALUATE",
          name: `quality of ${evaluated.dataset.name} vs ${reference.dataset.name} (${model.name})`,
          faceModelId: model.id,
          datasetId: evaluated.dataset.id,
          transferMethodId: evaluated.dataset.transferMethodId ?? null,
          seed: null,
          group: null,
          params: params as unknown as Prisma.InputJsonObject,
          maxAttempts: 1,
          pipelineId: null,
        });
        return run;
      });
    },
  };
}

export type DatasetQualityLaunchService = ReturnType<typeof createDatasetQualityLaunchService>;
