// The launch checks several run kinds share, in one place: a dataset that exists, is not
// archived and has a folder inside the data roots; a face model with an embedding input spec
// whose file is inside the roots; the attempts a lost worker may cost. Each error names its field.
import type { CatalogueStore } from "../../db/stores/catalogue-store";
import type { Dataset, FaceModel } from "../../generated/prisma/client";
import { badInput } from "../../errors";
import { isEmbeddingSpec, ModelInputSpecError, parseModelInputSpec, type ModelInputSpec } from "../../models/input-spec";
import { archivedMessage } from "../../services/archived";
import type { DataPaths } from "../../services/data-paths";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Run.maxAttempts: how many worker starts a run may cost before it FAILS. */
export const MAX_ATTEMPTS = { min: 1, max: 10, default: 1 } as const;

export function integerIn(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw badInput(field, `must be an integer in [${min}, ${max}], got ${value}`);
  return value;
}

/** The attempts of a launch (default 1), in [1, 10]. */
export function maxAttemptsOf(field: string, value: number | null | undefined): number {
  return integerIn(field, value ?? MAX_ATTEMPTS.default, MAX_ATTEMPTS.min, MAX_ATTEMPTS.max);
}

export function createLaunchChecks(catalogue: CatalogueStore, paths: DataPaths) {
  /** The dataset with this id; store failures propagate (they are not "does not exist"). */
  async function dataset(field: string, id: string): Promise<Dataset> {
    const [found] = UUID.test(id) ? await catalogue.datasetsByIds([id]) : [];
    if (!found) throw badInput(field, `dataset ${JSON.stringify(id)} does not exist`);
    return found;
  }

  return {
    dataset,

    /**
     * A dataset whose images a run reads: it exists, is not archived (unless `archivedToo`),
     * has a folder, and that folder resolves inside the data roots.
     */
    async datasetFolder(field: string, id: string, options: { purpose: string; archivedToo?: boolean }): Promise<{ dataset: Dataset; dir: string }> {
      const found = await dataset(field, id);
      if (found.archivedAt && !options.archivedToo) throw badInput(field, archivedMessage("dataset", found.name, "restoreDataset"));
      if (!found.uri) throw badInput(field, `dataset ${found.name} has no folder (uri) ${options.purpose}`);
      return { dataset: found, dir: await paths.resolveExisting(field, found.uri, "directory") };
    },

    /** A face model that outputs embeddings, its parsed spec, and its file inside the data roots. */
    async faceModel(field: string, id: string): Promise<{ model: FaceModel; spec: ModelInputSpec; file: string }> {
      const [model] = UUID.test(id) ? await catalogue.faceModelsByIds([id]) : [];
      if (!model) throw badInput(field, `face model ${JSON.stringify(id)} does not exist`);
      let spec: ModelInputSpec;
      try {
        spec = parseModelInputSpec(model.inputSpec);
      } catch (error) {
        if (error instanceof ModelInputSpecError) throw badInput(field, `face model ${model.name}: ${error.message}`);
        throw error;
      }
      if (!isEmbeddingSpec(spec)) throw badInput(field, `face model ${model.name}'s input spec has output kind "${spec.output.kind}", not "embedding"`);
      return { model, spec, file: await paths.resolveExisting(field, model.modelPath, "file") };
    },
  };
}

export type LaunchChecks = ReturnType<typeof createLaunchChecks>;
