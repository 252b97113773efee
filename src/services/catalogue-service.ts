// Rules for the catalogue: names unique, lineage consistent, paths inside the
// data roots, model input specs valid. Resolvers call these; only the store
// touches the database.
import type { CatalogueStore } from "../db/stores/catalogue-store";
import type { Prisma } from "../generated/prisma/client";
import type {
  DatasetKind,
  MethodFamily,
  QualitativeRating,
  Requirement,
} from "../generated/prisma/enums";
import { badInput, conflict, required } from "../errors";
import type { ModelInputSpec } from "../models/input-spec";
import type { DataPaths } from "./data-paths";
import { parseInputSpec } from "./input-spec-validation";
import { checkOnnxModel } from "./onnx-check";
import { isUniqueViolation } from "./prisma-errors";

export interface CreateDatasetInput {
  name: string;
  kind: DatasetKind;
  requirement?: Requirement | null;
  description?: string | null;
  identityCount?: number | null;
  imageCount?: number | null;
  uri?: string | null;
  sourceDatasetId?: string | null;
  transferMethodId?: string | null;
  producedByRunId?: string | null;
}

export interface RegisterTransferMethodInput {
  name: string;
  family: MethodFamily;
  requirement?: Requirement | null;
  description?: string | null;
  modelPath?: string | null;
  inputSpec?: unknown;
  defaultOptions?: unknown;
  trainedOnId?: string | null;
  qualitative?: QualitativeRating | null;
  publishedSecondsPerImage?: number | null;
  publishedDevice?: string | null;
}

export interface AttachMethodModelInput {
  modelPath: string;
  inputSpec: unknown;
  /** Replaces the method's default options when given. */
  defaultOptions?: unknown;
}

export interface SetDatasetFolderInput {
  uri: string;
  identityCount?: number | null;
  imageCount?: number | null;
}

export interface RegisterFaceModelInput {
  name: string;
  backbone: string;
  head: string;
  trainedOnId?: string | null;
  producedByRunId?: string | null;
  modelPath: string;
  inputSpec: unknown;
}

function requireName(field: string, value: string): string {
  const trimmed = value.trim();
  if (!trimmed) throw badInput(field, "must not be empty");
  if (trimmed.length > 200) throw badInput(field, "must be at most 200 characters");
  return trimmed;
}

function nonNegative(field: string, value: number | null | undefined): number | null {
  if (value == null) return null;
  if (!Number.isInteger(value) || value < 0) throw badInput(field, `must be a non-negative integer, got ${value}`);
  return value;
}

const MAX_DESCRIPTION = 10_000;

/** A description to store: trimmed, bounded; empty or null clears it. */
function description(value: string | null | undefined): string | null {
  const trimmed = value?.trim() ?? "";
  if (trimmed.length > MAX_DESCRIPTION) throw badInput("description", `must be at most ${MAX_DESCRIPTION} characters, got ${trimmed.length}`);
  return trimmed || null;
}

function plainObject(field: string, value: unknown): Prisma.InputJsonObject {
  if (value == null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw badInput(field, "must be a JSON object");
  return value as Prisma.InputJsonObject;
}

export function createCatalogueService(store: CatalogueStore, paths: DataPaths) {
  async function assertDatasetExists(field: string, id: string | null | undefined) {
    if (!id) return;
    const [row] = await store.datasetsByIds([id]);
    if (!row) throw badInput(field, `dataset ${JSON.stringify(id)} does not exist`);
  }

  async function assertMethodExists(field: string, id: string | null | undefined) {
    if (!id) return;
    const [row] = await store.methodsByIds([id]);
    if (!row) throw badInput(field, `transfer method ${JSON.stringify(id)} does not exist`);
  }

  /** A dataset folder as every entry point checks it: an existing directory inside the data roots. */
  const checkedFolder = (uri: string) => paths.resolveExisting("uri", uri, "directory");

  /**
   * A transfer method's model as registration and attachment both check it: the
   * file exists inside the data roots, the spec parses, and the ONNX model loads
   * and matches the spec. Null model path: a catalogue entry without a model.
   */
  async function checkedMethodModel(
    modelPathInput: string | null | undefined,
    inputSpecInput: unknown,
  ): Promise<{ modelPath: string | null; inputSpec: ModelInputSpec | undefined }> {
    const modelPath = modelPathInput ? await paths.resolveExisting("modelPath", modelPathInput, "file") : null;
    if (modelPath && inputSpecInput == null) throw badInput("inputSpec", "is required when modelPath is given");
    const inputSpec = inputSpecInput == null ? undefined : parseInputSpec("inputSpec", inputSpecInput);
    if (modelPath && inputSpec) await checkOnnxModel("modelPath", modelPath, inputSpec);
    return { modelPath, inputSpec };
  }

  async function existingDataset(id: string) {
    return required((await store.datasetsByIds([id]))[0], "dataset", id);
  }

  async function existingMethod(id: string) {
    return required((await store.methodsByIds([id]))[0], "transfer method", id);
  }

  async function updatedDataset(id: string, data: Prisma.DatasetUncheckedUpdateInput) {
    return required(await store.updateDataset(id, data), "dataset", id);
  }

  async function updatedMethod(id: string, data: Prisma.TransferMethodUncheckedUpdateInput) {
    return required(await store.updateMethod(id, data), "transfer method", id);
  }

  return {
    async createDataset(input: CreateDatasetInput) {
      const name = requireName("name", input.name);
      const uri = input.uri ? await checkedFolder(input.uri) : null;
      await assertDatasetExists("sourceDatasetId", input.sourceDatasetId);
      await assertMethodExists("transferMethodId", input.transferMethodId);
      if (input.kind === "REALISM_TRANSFERRED" && !input.sourceDatasetId) {
        throw badInput("sourceDatasetId", "a REALISM_TRANSFERRED dataset needs the dataset it was transferred from");
      }
      try {
        return await store.createDataset({
          name,
          kind: input.kind,
          requirement: input.requirement ?? null,
          description: description(input.description),
          identityCount: nonNegative("identityCount", input.identityCount),
          imageCount: nonNegative("imageCount", input.imageCount),
          uri,
          sourceDatasetId: input.sourceDatasetId ?? null,
          transferMethodId: input.transferMethodId ?? null,
          producedByRunId: input.producedByRunId ?? null,
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw conflict(`a dataset named ${JSON.stringify(name)} already exists; set or replace its folder with setDatasetFolder`);
        throw error;
      }
    },

    async registerTransferMethod(input: RegisterTransferMethodInput) {
      const name = requireName("name", input.name);
      const { modelPath, inputSpec } = await checkedMethodModel(input.modelPath, input.inputSpec);
      await assertDatasetExists("trainedOnId", input.trainedOnId);
      if (input.publishedSecondsPerImage != null && !(input.publishedSecondsPerImage > 0)) {
        throw badInput("publishedSecondsPerImage", "must be positive");
      }
      try {
        return await store.createMethod({
          name,
          family: input.family,
          requirement: input.requirement ?? "NONE",
          description: description(input.description),
          modelPath,
          ...(inputSpec ? { inputSpec: inputSpec as Prisma.InputJsonObject } : {}),
          defaultOptions: plainObject("defaultOptions", input.defaultOptions),
          trainedOnId: input.trainedOnId ?? null,
          qualitative: input.qualitative ?? null,
          publishedSecondsPerImage: input.publishedSecondsPerImage ?? null,
          publishedDevice: input.publishedDevice ?? null,
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw conflict(`a transfer method named ${JSON.stringify(name)} already exists; attach or replace its model with attachTransferMethodModel`);
        throw error;
      }
    },

    /** Attaches or replaces a method's ONNX model and input spec (e.g. for a seeded paper method). */
    async attachTransferMethodModel(id: string, input: AttachMethodModelInput) {
      await existingMethod(id);
      if (!input.modelPath?.trim()) throw badInput("modelPath", "must not be empty");
      if (input.inputSpec == null) throw badInput("inputSpec", "is required");
      const { modelPath, inputSpec } = await checkedMethodModel(input.modelPath, input.inputSpec);
      return updatedMethod(id, {
        modelPath,
        inputSpec: inputSpec as Prisma.InputJsonObject,
        ...(input.defaultOptions !== undefined ? { defaultOptions: plainObject("defaultOptions", input.defaultOptions) } : {}),
      });
    },

    /** Sets or replaces a dataset's folder (e.g. for a seeded dataset such as DigiFace1M). */
    async setDatasetFolder(id: string, input: SetDatasetFolderInput) {
      await existingDataset(id);
      if (!input.uri?.trim()) throw badInput("uri", "must not be empty");
      const uri = await checkedFolder(input.uri);
      return updatedDataset(id, {
        uri,
        ...(input.identityCount !== undefined ? { identityCount: nonNegative("identityCount", input.identityCount) } : {}),
        ...(input.imageCount !== undefined ? { imageCount: nonNegative("imageCount", input.imageCount) } : {}),
      });
    },

    async setDatasetDescription(id: string, text: string | null | undefined) {
      await existingDataset(id);
      return updatedDataset(id, { description: description(text) });
    },

    async setTransferMethodDescription(id: string, text: string | null | undefined) {
      await existingMethod(id);
      return updatedMethod(id, { description: description(text) });
    },

    /** Archiving hides a dataset from lists and the leaderboard; it keeps its first archive time. */
    async setDatasetArchived(id: string, archived: boolean) {
      const dataset = await existingDataset(id);
      return updatedDataset(id, { archivedAt: archived ? (dataset.archivedAt ?? new Date()) : null });
    },

    async setTransferMethodArchived(id: string, archived: boolean) {
      const method = await existingMethod(id);
      return updatedMethod(id, { archivedAt: archived ? (method.archivedAt ?? new Date()) : null });
    },

    async registerFaceModel(input: RegisterFaceModelInput) {
      const name = requireName("name", input.name);
      const modelPath = await paths.resolveExisting("modelPath", input.modelPath, "file");
      const inputSpec = parseInputSpec("inputSpec", input.inputSpec);
      await checkOnnxModel("modelPath", modelPath, inputSpec);
      await assertDatasetExists("trainedOnId", input.trainedOnId);
      try {
        return await store.createFaceModel({
          name,
          backbone: requireName("backbone", input.backbone),
          head: requireName("head", input.head),
          trainedOnId: input.trainedOnId ?? null,
          producedByRunId: input.producedByRunId ?? null,
          modelPath,
          inputSpec: inputSpec as Prisma.InputJsonObject,
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw conflict(`a face model named ${JSON.stringify(name)} already exists`);
        throw error;
      }
    },

    async datasetByIdOrName(id?: string | null, name?: string | null) {
      if (!id && !name) throw badInput("id", "give an id or a name");
      if (id) return (await store.datasetsByIds([id]))[0] ?? null;
      return store.datasetByName(name!);
    },

    async methodByIdOrName(id?: string | null, name?: string | null) {
      if (!id && !name) throw badInput("id", "give an id or a name");
      if (id) return (await store.methodsByIds([id]))[0] ?? null;
      return store.methodByName(name!);
    },

    async faceModel(id: string) {
      return (await store.faceModelsByIds([id]))[0] ?? null;
    },

    /** Benchmark ids for names, or BAD_USER_INPUT naming the unknown ones. */
    async benchmarkIdsByName(field: string, names: readonly string[]): Promise<Map<string, string>> {
      const unique = [...new Set(names)];
      const rows = unique.length ? await store.benchmarksByNames(unique) : [];
      const ids = new Map(rows.map((b) => [b.name, b.id]));
      const unknown = unique.filter((n) => !ids.has(n));
      if (unknown.length) {
        const known = (await store.listBenchmarks()).map((b) => b.name).join(", ");
        throw badInput(field, `unknown benchmark ${unknown.map((n) => JSON.stringify(n)).join(", ")} (known: ${known})`);
      }
      return ids;
    },

    listDatasets: (kind?: DatasetKind, includeArchived = false) => store.listDatasets(kind, includeArchived),
    listMethods: (includeArchived = false) => store.listMethods(includeArchived),
    listFaceModels: store.listFaceModels,
    listBenchmarks: store.listBenchmarks,
    requireDataset: async (id: string) => required((await store.datasetsByIds([id]))[0], "dataset", id),
  };
}

export type CatalogueService = ReturnType<typeof createCatalogueService>;
