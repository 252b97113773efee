// Launching evaluations: one EVALUATE run per face model (or one for precomputed features),
// validated in full before anything is written, then all run rows and their jobs in one
// transaction. The run is filed under the model's training dataset and that dataset's transfer
// method (so the leaderboard groups it), with seed/group from the TRAIN run that produced it.
import type { Stores } from "../db/stores";
import type { FaceModel, Prisma, Run } from "../generated/prisma/client";
import { badInput } from "../errors";
import { isEmbeddingSpec, ModelInputSpecError, parseModelInputSpec } from "../models/input-spec";
import { IJB_ALIGNMENT_OPTIONS, type EvaluateBenchmarkParams, type EvaluateRunParams, type IjbAlignmentOption } from "../runners/evaluate";
import { ALIGNED_SIZE } from "../runners/evaluate/align";
import type { DataPaths } from "./data-paths";
import { queuePlannedRun, type RunPlan } from "./run-plan";
import { resolveEvaluationBenchmarks, type EvaluationBenchmarkInput } from "./evaluation-benchmarks";

export interface LaunchEvaluationInput {
  faceModelIds?: string[] | null;
  benchmarks: EvaluationBenchmarkInput[];
  options?: {
    batchSize?: number | null;
    allowNonStandardSize?: boolean | null;
    useDetectorScore?: boolean | null;
    alignment?: string | null;
    datasetId?: string | null;
    seed?: number | null;
    group?: string | null;
    maxAttempts?: number | null;
  } | null;
}

type Options = NonNullable<LaunchEvaluationInput["options"]>;

/** The columns of one EVALUATE run besides its params. */
interface PlannedRun {
  name: string;
  faceModelId: string | null;
  datasetId: string | null;
  transferMethodId: string | null;
  seed: number | null;
  group: string | null;
}

function integerIn(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw badInput(field, `must be an integer in [${min}, ${max}], got ${value}`);
  return value;
}

export function createEvaluationLaunchService(stores: Stores, paths: DataPaths) {
  /** The training dataset and its transfer method (null, null when unknown). */
  async function lineage(datasetId: string | null) {
    if (!datasetId) return { datasetId: null, transferMethodId: null };
    const [dataset] = await stores.catalogue.datasetsByIds([datasetId]);
    return { datasetId: dataset?.id ?? null, transferMethodId: dataset?.transferMethodId ?? null };
  }

  async function checkFaceModel(field: string, id: string): Promise<FaceModel> {
    const [model] = await stores.catalogue.faceModelsByIds([id]);
    if (!model) throw badInput(field, `face model ${JSON.stringify(id)} does not exist`);
    try {
      const spec = parseModelInputSpec(model.inputSpec);
      if (!isEmbeddingSpec(spec)) throw badInput(field, `face model ${model.name}'s input spec has output kind "${spec.output.kind}", not "embedding"`);
    } catch (error) {
      if (error instanceof ModelInputSpecError) throw badInput(field, `face model ${model.name}: ${error.message}`);
      throw error;
    }
    await paths.resolveExisting(field, model.modelPath, "file");
    return model;
  }

  async function planModelRun(model: FaceModel, options: Options, benchmarks: string): Promise<PlannedRun> {
    const [train] = model.producedByRunId ? await stores.runs.byIds([model.producedByRunId]) : [];
    return {
      name: `${model.name} on ${benchmarks}`,
      faceModelId: model.id,
      ...(await lineage(model.trainedOnId)),
      seed: train?.seed ?? options.seed ?? null,
      group: train?.group ?? options.group ?? null,
    };
  }

  async function planFeaturesRun(options: Options, benchmarks: string): Promise<PlannedRun> {
    if (options.datasetId) {
      const [dataset] = await stores.catalogue.datasetsByIds([options.datasetId]);
      if (!dataset) throw badInput("options.datasetId", `dataset ${JSON.stringify(options.datasetId)} does not exist`);
    }
    return {
      name: `features on ${benchmarks}`,
      faceModelId: null,
      ...(await lineage(options.datasetId ?? null)),
      seed: options.seed ?? null,
      group: options.group ?? null,
    };
  }

  /**
   * The model-independent checks (options, every benchmark file and its size) and the run
   * params they give; a pipeline runs them at launch, before its models exist.
   */
  async function checkEvaluation(input: Pick<LaunchEvaluationInput, "benchmarks" | "options">, mode: EvaluateRunParams["mode"]) {
    const options = input.options ?? {};
    const batchSize = integerIn("options.batchSize", options.batchSize ?? 64, 1, 4096);
    const maxAttempts = integerIn("options.maxAttempts", options.maxAttempts ?? 1, 1, 10);
    const allowNonStandardSize = options.allowNonStandardSize ?? false;
    const alignment = (options.alignment ?? "AUTO") as IjbAlignmentOption;
    if (!IJB_ALIGNMENT_OPTIONS.includes(alignment)) {
      throw badInput("options.alignment", `must be one of ${IJB_ALIGNMENT_OPTIONS.join(", ")}, got ${JSON.stringify(options.alignment)}`);
    }
    const benchmarks: EvaluateBenchmarkParams[] = await resolveEvaluationBenchmarks(input.benchmarks, {
      mode,
      alignment,
      allowNonStandardSize,
      catalogue: stores.catalogue,
      paths,
    });
    const params: EvaluateRunParams = {
      mode,
      batchSize,
      allowNonStandardSize,
      useDetectorScore: options.useDetectorScore ?? true,
      alignment,
      benchmarks,
    };
    return { params, maxAttempts };
  }

  /** Every launch check of an evaluation, and the runs it would queue; writes nothing. */
  async function planEvaluation(input: LaunchEvaluationInput): Promise<RunPlan[]> {
    const options = input.options ?? {};
    const modelIds = input.faceModelIds ?? null;
    if (modelIds && modelIds.length === 0) {
      throw badInput("faceModelIds", "give at least one face model, or leave faceModelIds out to evaluate precomputed features");
    }
    if (modelIds && new Set(modelIds).size !== modelIds.length) throw badInput("faceModelIds", "lists a face model twice");
    if (modelIds && options.datasetId) {
      throw badInput("options.datasetId", "only for precomputed features; a face model's runs are filed under its trainedOn dataset");
    }
    const models: FaceModel[] = [];
    for (const [i, id] of (modelIds ?? []).entries()) models.push(await checkFaceModel(`faceModelIds[${i}]`, id));
    const { params, maxAttempts } = await checkEvaluation(input, modelIds ? "model" : "features");
    const aligned = params.benchmarks.find((b) => b.alignment === "LANDMARKS");
    for (const [i, model] of models.entries()) {
      const size = (parseModelInputSpec(model.inputSpec) as { input: { width: number; height: number } }).input;
      if (aligned && (size.width !== ALIGNED_SIZE || size.height !== ALIGNED_SIZE)) {
        throw badInput(
          `faceModelIds[${i}]`,
          `${aligned.name} is aligned from its landmarks to ${ALIGNED_SIZE}x${ALIGNED_SIZE} (eval_ijbc.py's template), ` +
            `but face model ${model.name} takes ${size.width}x${size.height}`,
        );
      }
    }
    const names = params.benchmarks.map((b) => b.name).join(", ");
    const planned = modelIds
      ? await Promise.all(models.map((model) => planModelRun(model, options, names)))
      : [await planFeaturesRun(options, names)];
    return planned.map((plan) => ({ kind: "EVALUATE", ...plan, params: params as unknown as Prisma.InputJsonObject, maxAttempts }));
  }

  return {
    checkEvaluation,
    planEvaluation,

    async launchEvaluation(input: LaunchEvaluationInput): Promise<Run[]> {
      const plans = await planEvaluation(input);
      return stores.transaction(async (tx) => {
        const runs: Run[] = [];
        for (const plan of plans) runs.push(await queuePlannedRun(tx, plan));
        return runs;
      });
    },
  };
}

export type EvaluationLaunchService = ReturnType<typeof createEvaluationLaunchService>;
