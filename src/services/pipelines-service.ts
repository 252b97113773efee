// The paper's experiment from one launch: transfer once -> train `repeats` times
// with different seeds (one group) -> evaluate every trained model. A pipeline
// advances whenever one of its runs ends (runs service terminal hook); `advance`
// is idempotent and serialised per pipeline by an advisory lock, so any process
// may call it. The baseline pipeline trains on the untransferred source.
import type { Stores } from "../db/stores";
import type { Pipeline, Prisma, Run } from "../generated/prisma/client";
import { badInput, conflict, required } from "../errors";
import type { CatalogueService } from "./catalogue-service";
import type { EvaluationBenchmarkInput } from "./evaluation-benchmarks";
import type { EvaluationLaunchService, LaunchEvaluationInput } from "./evaluation-launch";
import type { LaunchService, LaunchTransferInput } from "./launch-service";
import { isTerminal } from "./run-status";
import type { TrainersService } from "./trainers-service";

export interface LaunchPipelineInput {
  sourceDatasetId: string;
  methodId?: string | null;
  transferOptions?: LaunchTransferInput["options"];
  trainerId: string;
  trainParams?: Record<string, unknown> | null;
  benchmarks: EvaluationBenchmarkInput[];
  evaluationOptions?: LaunchEvaluationInput["options"];
  repeats: number;
  seeds?: number[] | null;
  /** Also run the same pipeline without the transfer, for the leaderboard's delta. */
  includeBaseline?: boolean | null;
}

interface PipelineSpec {
  sourceDatasetId: string;
  methodId: string | null;
  transferOptions: LaunchTransferInput["options"];
  trainerId: string;
  trainParams: Record<string, unknown>;
  benchmarks: EvaluationBenchmarkInput[];
  evaluationOptions: LaunchEvaluationInput["options"];
  seeds: number[];
}

export interface PipelineProgress {
  done: number;
  total: number;
  fraction: number;
}

export function pipelineProgress(pipeline: Pipeline, runs: Run[]): PipelineProgress {
  const spec = pipeline.spec as unknown as PipelineSpec;
  const total = (pipeline.baseline ? 0 : 1) + 2 * spec.seeds.length;
  const done = runs.filter((r) => r.status === "SUCCEEDED").length;
  return { done, total, fraction: total ? Math.min(1, done / total) : 0 };
}

export function createPipelinesService(deps: {
  stores: Stores;
  catalogue: CatalogueService;
  launch: LaunchService;
  trainers: TrainersService;
  evaluation: EvaluationLaunchService;
}) {
  const { stores } = deps;

  async function announce(pipeline: Pipeline, status = pipeline.status) {
    await stores.notify("pipelineUpdated", { pipelineId: pipeline.id, status });
  }

  async function fail(pipeline: Pipeline, runs: Run[], status: "FAILED" | "CANCELLED", error: string) {
    if (!(await stores.pipelines.finish(pipeline.id, status, error))) return;
    for (const run of runs.filter((r) => !isTerminal(r.status))) {
      await deps.launch.cancelRun(run.id).catch(() => undefined);
    }
    await announce(pipeline, status);
  }

  async function trainingDatasetId(pipeline: Pipeline, spec: PipelineSpec, runs: Run[]): Promise<string | null> {
    if (pipeline.baseline) return spec.sourceDatasetId;
    const transfer = runs.find((r) => r.kind === "TRANSFER");
    if (transfer?.status !== "SUCCEEDED") return null;
    const [output] = await stores.catalogue.datasetsByProducingRunIds([transfer.id]);
    return output?.id ?? null;
  }

  async function advanceLocked(pipelineId: string): Promise<void> {
    const pipeline = await stores.pipelines.byId(pipelineId);
    if (!pipeline || pipeline.status !== "RUNNING") return;
    const spec = pipeline.spec as unknown as PipelineSpec;
    let runs = await stores.pipelines.runsOf(pipeline.id);

    const broken = runs.find((r) => r.status === "FAILED" || r.status === "CANCELLED");
    if (broken) {
      const status = broken.status === "CANCELLED" ? "CANCELLED" : "FAILED";
      await fail(pipeline, runs, status, `${broken.kind} run ${broken.id} ${broken.status}${broken.error ? `: ${broken.error}` : ""}`);
      return;
    }

    const datasetId = await trainingDatasetId(pipeline, spec, runs);
    if (datasetId) {
      const trainedSeeds = new Set(runs.filter((r) => r.kind === "TRAIN").map((r) => r.seed));
      for (const seed of spec.seeds.filter((s) => !trainedSeeds.has(s))) {
        await deps.trainers.launchTraining(
          { datasetId, trainerId: spec.trainerId, seed, params: spec.trainParams, group: pipeline.group },
          { pipelineId: pipeline.id },
        );
      }
    }

    const evaluated = new Set(runs.filter((r) => r.kind === "EVALUATE").map((r) => r.faceModelId));
    const trained = runs.filter((r) => r.kind === "TRAIN" && r.status === "SUCCEEDED");
    const models = trained.length ? await stores.catalogue.faceModelsByProducingRunIds(trained.map((r) => r.id)) : [];
    const toEvaluate = models.filter((m) => !evaluated.has(m.id)).map((m) => m.id);
    if (toEvaluate.length) {
      await deps.evaluation.launchEvaluation(
        { faceModelIds: toEvaluate, benchmarks: spec.benchmarks, options: spec.evaluationOptions },
        { pipelineId: pipeline.id },
      );
    }

    runs = await stores.pipelines.runsOf(pipeline.id);
    const evaluations = runs.filter((r) => r.kind === "EVALUATE");
    if (evaluations.length === spec.seeds.length && evaluations.every((r) => r.status === "SUCCEEDED")) {
      if (await stores.pipelines.finish(pipeline.id, "SUCCEEDED", null)) await announce(pipeline, "SUCCEEDED");
    } else {
      await announce(pipeline);
    }
  }

  async function advance(pipelineId: string): Promise<void> {
    try {
      await stores.withLock(`pipeline:${pipelineId}`, () => advanceLocked(pipelineId));
    } catch (error) {
      // A step that cannot even be launched (e.g. its model vanished) fails the pipeline clearly.
      const pipeline = await stores.pipelines.byId(pipelineId);
      if (pipeline?.status === "RUNNING") {
        await fail(pipeline, await stores.pipelines.runsOf(pipelineId), "FAILED", `could not launch the next step: ${(error as Error).message}`);
      }
    }
  }

  async function create(input: LaunchPipelineInput, spec: PipelineSpec, baseline: boolean, names: { dataset: string; method: string | null }) {
    const label = baseline || !names.method ? names.dataset : `${names.dataset}+${names.method}`;
    const pipeline = await stores.pipelines.create({
      name: `${label}${baseline ? " (baseline)" : ""}`,
      spec: spec as unknown as Prisma.InputJsonObject,
      group: `pipeline ${label}${baseline ? " baseline" : ""} ${new Date().toISOString().slice(0, 19)}`,
      baseline,
    });
    if (baseline) await advance(pipeline.id);
    else {
      await deps.launch.launchTransfer(
        { datasetId: input.sourceDatasetId, methodId: spec.methodId!, options: { ...(spec.transferOptions ?? {}), group: pipeline.group } },
        { pipelineId: pipeline.id },
      );
    }
    return (await stores.pipelines.byId(pipeline.id))!;
  }

  return {
    advance,
    byId: (id: string) => stores.pipelines.byId(id),
    list: (first = 50) => stores.pipelines.list(first),
    runsOf: (id: string) => stores.pipelines.runsOf(id),

    async launchPipeline(input: LaunchPipelineInput): Promise<Pipeline[]> {
      if (!Number.isInteger(input.repeats) || input.repeats < 1 || input.repeats > 20) throw badInput("repeats", "must be an integer in [1, 20]");
      const seeds = input.seeds ?? Array.from({ length: input.repeats }, (_, i) => i);
      if (seeds.length !== input.repeats) throw badInput("seeds", `gives ${seeds.length} seeds for ${input.repeats} repeats`);
      if (new Set(seeds).size !== seeds.length) throw badInput("seeds", "repeats need different seeds");
      if (!input.benchmarks.length) throw badInput("benchmarks", "name at least one benchmark");
      const source = await deps.catalogue.datasetByIdOrName(input.sourceDatasetId).catch(() => null);
      if (!source) throw badInput("sourceDatasetId", `dataset ${JSON.stringify(input.sourceDatasetId)} does not exist`);
      if (!source.uri) throw badInput("sourceDatasetId", `dataset ${source.name} has no folder (uri)`);
      const method = input.methodId ? await deps.catalogue.methodByIdOrName(input.methodId).catch(() => null) : null;
      if (input.methodId && !method) throw badInput("methodId", `transfer method ${JSON.stringify(input.methodId)} does not exist`);
      if (!method && !input.includeBaseline) throw badInput("methodId", "give a transfer method, or includeBaseline for the untransferred pipeline alone");
      if (!(await deps.trainers.list()).some((t) => t.id === input.trainerId)) {
        throw badInput("trainerId", `trainer ${JSON.stringify(input.trainerId)} does not exist`);
      }
      await deps.catalogue.benchmarkIdsByName("benchmarks", input.benchmarks.map((b) => b.name));
      const spec: PipelineSpec = {
        sourceDatasetId: source.id,
        methodId: method?.id ?? null,
        transferOptions: input.transferOptions ?? null,
        trainerId: input.trainerId,
        trainParams: input.trainParams ?? {},
        benchmarks: input.benchmarks,
        evaluationOptions: input.evaluationOptions ?? null,
        seeds,
      };
      const names = { dataset: source.name, method: method?.name ?? null };
      const pipelines: Pipeline[] = [];
      if (method) pipelines.push(await create(input, spec, false, names));
      if (input.includeBaseline) pipelines.push(await create(input, spec, true, names));
      return pipelines;
    },

    async cancelPipeline(id: string): Promise<Pipeline> {
      const pipeline = required(await stores.pipelines.byId(id).catch(() => null), "pipeline", id);
      if (pipeline.status !== "RUNNING") throw conflict(`pipeline ${id} is already ${pipeline.status}`);
      await fail(pipeline, await stores.pipelines.runsOf(id), "CANCELLED", "cancelled by a user");
      return (await stores.pipelines.byId(id))!;
    },
  };
}

export type PipelinesService = ReturnType<typeof createPipelinesService>;
