// The paper's experiment from one launch: transfer once -> train `repeats` times
// with different seeds (one group) -> evaluate every trained model. Launch checks
// every step first (the single launches' own checks) and writes the pipeline and its
// first runs in one transaction, so a refused launch leaves nothing. A pipeline
// advances whenever one of its runs ends (runs service terminal hook); `advance` is
// idempotent and serialised per pipeline by an advisory lock, so any process may
// call it. A FAILED or CANCELLED pipeline can be resumed: finished steps are kept,
// broken ones get a new run. The baseline pipeline trains on the untransferred source.
import type { Stores } from "../db/stores";
import type { Dataset, Pipeline, Prisma, Run } from "../generated/prisma/client";
import { badInput, conflict, required } from "../errors";
import type { ExecutorChoice } from "../executors/executor";
import type { ExecutorRegistry } from "../executors/executor-registry";
import type { CatalogueService } from "./catalogue-service";
import type { EvaluationPlanner } from "../kinds/evaluate/launch";
import type { EvaluationBenchmarkInput, LaunchEvaluationInput } from "../kinds/evaluate/params";
import { withFieldNames } from "./field-names";
import { queueTransfer, type LaunchService, type LaunchTransferInput, type TransferRunParams } from "./launch-service";
import { brokenStep, pipelineSteps, isBrokenRun, type PipelineSteps } from "./pipeline-steps";
import { isTerminal } from "./run-status";
import { queuePlannedRun, type RunPlan } from "./run-plan";
import type { TrainersService, TrainingSetup } from "./trainers-service";
import { jsonObject } from "./json-bounds";

export interface LaunchPipelineInput {
  sourceDatasetId: string;
  methodId?: string | null;
  transferOptions?: LaunchTransferInput["options"];
  trainerId: string;
  /** A JSON object (checked and bounded at launch). */
  trainParams?: unknown;
  benchmarks: EvaluationBenchmarkInput[];
  evaluationOptions?: LaunchEvaluationInput["options"];
  repeats: number;
  seeds?: number[] | null;
  /** Also run the same pipeline without the transfer, for the leaderboard's delta. */
  includeBaseline?: boolean | null;
  /** Where the TRAIN steps execute and what they ask of it (default: the TRAIN kind's config). */
  trainExecutor?: string | null;
  trainResources?: unknown;
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
  /** The TRAIN steps' executor and resources, checked at launch (absent in older pipelines: config's). */
  trainChoice?: ExecutorChoice;
}

export interface PipelineProgress {
  done: number;
  total: number;
  fraction: number;
}

// The single launches' input fields, as the pipeline's input names them.
const TRANSFER_FIELDS = { datasetId: "sourceDatasetId", options: "transferOptions" };
const TRAIN_FIELDS = { datasetId: "sourceDatasetId", params: "trainParams", seed: "seeds", executor: "trainExecutor", resources: "trainResources" };
const EVALUATION_FIELDS = { options: "evaluationOptions" };

export function pipelineProgress(pipeline: Pipeline, runs: Run[]): PipelineProgress {
  const spec = pipeline.spec as unknown as PipelineSpec;
  const steps = pipelineSteps(runs);
  const total = (pipeline.baseline ? 0 : 1) + 2 * spec.seeds.length;
  const succeeded = (run: Run | null | undefined) => run?.status === "SUCCEEDED";
  const done =
    (succeeded(steps.transfer) ? 1 : 0) +
    [...steps.trainBySeed.values()].filter(succeeded).length +
    [...steps.evaluateByModel.values()].filter(succeeded).length;
  return { done, total, fraction: total ? Math.min(1, done / total) : 0 };
}

export function createPipelinesService(deps: {
  stores: Stores;
  catalogue: CatalogueService;
  launch: LaunchService;
  trainers: TrainersService;
  evaluation: EvaluationPlanner;
  executors: ExecutorRegistry;
}) {
  const { stores } = deps;

  async function announce(pipeline: Pipeline, status = pipeline.status) {
    await stores.notify("pipelineUpdated", { pipelineId: pipeline.id, status });
  }

  /**
   * Finishes a RUNNING pipeline and cancels its queued and running steps in one transaction,
   * so nobody sees it finished with steps still going. Workers notice the CANCELLED status at
   * their next progress write, as with cancelRun. (The runs' terminal hook is not called:
   * it would only advance this pipeline, which is finished.) False when it had finished already.
   */
  async function finishAndCancelSteps(pipeline: Pipeline, status: "FAILED" | "CANCELLED", error: string): Promise<boolean> {
    const cancelled: Run[] = [];
    const finished = await stores.transaction(async (tx) => {
      cancelled.length = 0; // a retried transaction starts over
      if (!(await tx.pipelines.finish(pipeline.id, status, error))) return false;
      const now = new Date();
      for (const run of (await tx.pipelines.runsOf(pipeline.id)).filter((r) => !isTerminal(r.status))) {
        const row = await tx.runs.updateIfStatus(run.id, run.status, { status: "CANCELLED", error: `cancelled: its pipeline is ${status}`, finishedAt: now });
        if (!row) continue;
        cancelled.push(row);
        await tx.queue.removeQueuedRun(row.id);
        await tx.notify("runUpdated", { runId: row.id, kind: row.kind, status: row.status, group: row.group });
      }
      await tx.notify("pipelineUpdated", { pipelineId: pipeline.id, status });
      return true;
    });
    // Their executors stop the jobs now (Slurm: scancel), as cancelRun does; what fails here
    // the reconciler still stops (it scancels the jobs of finished runs).
    for (const run of cancelled) {
      if (run.executor !== "local") await deps.executors.get(run.executor)?.cancel(run).catch(() => undefined);
    }
    return finished;
  }

  /** The dataset the trainings use: the source (baseline), else the transfer's output once it SUCCEEDED. */
  async function trainingDataset(pipeline: Pipeline, spec: PipelineSpec, steps: PipelineSteps): Promise<Dataset | null> {
    if (pipeline.baseline) return (await stores.catalogue.datasetsByIds([spec.sourceDatasetId]))[0] ?? null;
    if (steps.transfer?.status !== "SUCCEEDED") return null;
    const [output] = await stores.catalogue.datasetsByProducingRunIds([steps.transfer.id]);
    return output ?? null;
  }

  const trainerCheck = (spec: PipelineSpec): Promise<TrainingSetup> =>
    withFieldNames(TRAIN_FIELDS, () => deps.trainers.checkTrainer({ trainerId: spec.trainerId, params: spec.trainParams }));

  const evaluationPlans = (spec: PipelineSpec, faceModelIds: string[]): Promise<RunPlan[]> =>
    withFieldNames(EVALUATION_FIELDS, () =>
      deps.evaluation.planEvaluation({ faceModelIds, benchmarks: spec.benchmarks, options: spec.evaluationOptions }),
    );

  /** Runs for the steps that can start now and have no run yet. */
  async function nextStepPlans(pipeline: Pipeline, spec: PipelineSpec, steps: PipelineSteps): Promise<RunPlan[]> {
    const plans: RunPlan[] = [];
    const untrained = spec.seeds.filter((s) => !steps.trainBySeed.has(s));
    const dataset = untrained.length ? await trainingDataset(pipeline, spec, steps) : null;
    if (dataset) {
      const setup = await trainerCheck(spec);
      await deps.trainers.checkTrainingDataset(dataset.id);
      for (const seed of untrained) plans.push(deps.trainers.trainingPlan(setup, dataset, seed, pipeline.group, spec.trainChoice));
    }
    const trained = [...steps.trainBySeed.values()].filter((r) => r.status === "SUCCEEDED");
    const models = trained.length ? await stores.catalogue.faceModelsByProducingRunIds(trained.map((r) => r.id)) : [];
    const toEvaluate = models.filter((m) => !steps.evaluateByModel.has(m.id)).map((m) => m.id);
    if (toEvaluate.length) plans.push(...(await evaluationPlans(spec, toEvaluate)));
    return plans;
  }

  async function queue(pipelineId: string, group: string, plans: RunPlan[]) {
    if (!plans.length) return;
    await stores.transaction(async (tx) => {
      for (const plan of plans) await queuePlannedRun(tx, plan, { pipelineId, group });
    });
    deps.executors.kick();
  }

  async function advanceLocked(pipelineId: string): Promise<void> {
    const pipeline = await stores.pipelines.byId(pipelineId);
    if (!pipeline || pipeline.status !== "RUNNING") return;
    const spec = pipeline.spec as unknown as PipelineSpec;
    const runs = await stores.pipelines.runsOf(pipeline.id);
    const steps = pipelineSteps(runs);

    const broken = brokenStep(steps);
    if (broken) {
      const status = broken.status === "CANCELLED" ? "CANCELLED" : "FAILED";
      await finishAndCancelSteps(pipeline, status, `${broken.kind} run ${broken.id} ${broken.status}${broken.error ? `: ${broken.error}` : ""}`);
      return;
    }
    await queue(pipeline.id, pipeline.group, await nextStepPlans(pipeline, spec, steps));

    const now = pipelineSteps(await stores.pipelines.runsOf(pipeline.id));
    const evaluated = [...now.evaluateByModel.values()].filter((r) => r.status === "SUCCEEDED");
    if (evaluated.length === spec.seeds.length && [...now.trainBySeed.values()].every((r) => r.status === "SUCCEEDED")) {
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
        await finishAndCancelSteps(pipeline, "FAILED", `could not launch the next step: ${(error as Error).message}`);
      }
    }
  }

  /** Every check of a launch, in the input's own field names; writes nothing. */
  async function checkLaunch(input: LaunchPipelineInput) {
    if (!Number.isInteger(input.repeats) || input.repeats < 1 || input.repeats > 20) throw badInput("repeats", "must be an integer in [1, 20]");
    const seeds = input.seeds ?? Array.from({ length: input.repeats }, (_, i) => i);
    if (seeds.length !== input.repeats) throw badInput("seeds", `gives ${seeds.length} seeds for ${input.repeats} repeats`);
    if (new Set(seeds).size !== seeds.length) throw badInput("seeds", "repeats need different seeds");
    if (seeds.some((s) => !Number.isInteger(s))) throw badInput("seeds", "must be integers");
    if (!input.benchmarks.length) throw badInput("benchmarks", "name at least one benchmark");
    const found = await deps.catalogue.datasetByIdOrName(input.sourceDatasetId);
    if (!found) throw badInput("sourceDatasetId", `dataset ${JSON.stringify(input.sourceDatasetId)} does not exist`);
    const source = await withFieldNames(TRAIN_FIELDS, () => deps.trainers.checkTrainingDataset(found.id));
    const method = input.methodId ? await deps.catalogue.methodByIdOrName(input.methodId) : null;
    if (input.methodId && !method) throw badInput("methodId", `transfer method ${JSON.stringify(input.methodId)} does not exist`);
    if (!method && !input.includeBaseline) throw badInput("methodId", "give a transfer method, or includeBaseline for the untransferred pipeline alone");
    const spec: PipelineSpec = {
      sourceDatasetId: source.id,
      methodId: method?.id ?? null,
      transferOptions: input.transferOptions ?? null,
      trainerId: input.trainerId,
      trainParams: jsonObject("trainParams", input.trainParams),
      benchmarks: input.benchmarks,
      evaluationOptions: input.evaluationOptions ?? null,
      seeds,
      trainChoice: await withFieldNames(TRAIN_FIELDS, () => deps.executors.choose("TRAIN", input.trainExecutor, input.trainResources)),
    };
    const transfer = method
      ? await withFieldNames(TRANSFER_FIELDS, () =>
          deps.launch.planTransfer({ datasetId: source.id, methodId: method.id, options: spec.transferOptions }),
        )
      : null;
    const training = await trainerCheck(spec);
    await withFieldNames(EVALUATION_FIELDS, () => deps.evaluation.checkEvaluation({ benchmarks: spec.benchmarks, options: spec.evaluationOptions }, "model"));
    return { spec, source, method, transfer, training };
  }

  return {
    advance,
    byId: (id: string) => stores.pipelines.byId(id),
    list: (first = 50) => stores.pipelines.list(first),
    runsOf: (id: string) => stores.pipelines.runsOf(id),

    async launchPipeline(input: LaunchPipelineInput): Promise<Pipeline[]> {
      const { spec, source, method, transfer, training } = await checkLaunch(input);
      const stamp = new Date().toISOString().slice(0, 19);
      const label = method ? `${source.name}+${method.name}` : source.name;
      // The output name is claimed again inside the transaction (a racing launch may have taken it).
      const pipelines = await withFieldNames(TRANSFER_FIELDS, () => stores.transaction(async (tx) => {
        const created: Pipeline[] = [];
        const create = (name: string, group: string, baseline: boolean) =>
          tx.pipelines.create({ name, group, baseline, spec: spec as unknown as Prisma.InputJsonObject });
        if (transfer) {
          const pipeline = await create(label, `pipeline ${label} ${stamp}`, false);
          await queueTransfer(tx, transfer, { pipelineId: pipeline.id, group: pipeline.group });
          created.push(pipeline);
        }
        if (input.includeBaseline) {
          const pipeline = await create(`${source.name} (baseline)`, `pipeline ${source.name} baseline ${stamp}`, true);
          for (const seed of spec.seeds) {
            await queuePlannedRun(tx, deps.trainers.trainingPlan(training, source, seed, pipeline.group, spec.trainChoice), { pipelineId: pipeline.id });
          }
          created.push(pipeline);
        }
        for (const pipeline of created) await tx.notify("pipelineUpdated", { pipelineId: pipeline.id, status: pipeline.status });
        return created;
      }));
      deps.executors.kick(); // Slurm steps are submitted now rather than at the next poll
      return pipelines;
    },

    async cancelPipeline(id: string): Promise<Pipeline> {
      const pipeline = required(await stores.pipelines.byId(id), "pipeline", id);
      if (pipeline.status !== "RUNNING") throw conflict(`pipeline ${id} is already ${pipeline.status}`);
      await finishAndCancelSteps(pipeline, "CANCELLED", "cancelled by a user");
      return (await stores.pipelines.byId(id))!;
    },

    /**
     * Resumes a FAILED or CANCELLED pipeline: SUCCEEDED steps are kept (the transferred
     * dataset, trained models, evaluations); each FAILED or CANCELLED step gets a new run
     * (the transfer skips the images it already wrote). Checked like a launch first.
     */
    async resumePipeline(id: string): Promise<Pipeline> {
      const pipeline = required(await stores.pipelines.byId(id), "pipeline", id);
      if (pipeline.status !== "FAILED" && pipeline.status !== "CANCELLED") {
        throw conflict(`pipeline ${id} is ${pipeline.status}; only a FAILED or CANCELLED pipeline can be resumed`);
      }
      const spec = pipeline.spec as unknown as PipelineSpec;
      const steps = pipelineSteps(await stores.pipelines.runsOf(id));
      const plans: RunPlan[] = [];
      if (!pipeline.baseline && (!steps.transfer || isBrokenRun(steps.transfer))) {
        // The same output name (and folder) as before, so written images are reused.
        const outputName = (steps.transfer?.params as TransferRunParams | undefined)?.outputName ?? spec.transferOptions?.outputName;
        const options = { ...(spec.transferOptions ?? {}), outputName };
        plans.push(await withFieldNames(TRANSFER_FIELDS, () => deps.launch.planTransfer({ datasetId: spec.sourceDatasetId, methodId: spec.methodId!, options })));
      }
      const retrain = [...steps.trainBySeed.values()].filter(isBrokenRun).map((r) => r.seed!);
      const dataset = await trainingDataset(pipeline, spec, steps);
      if (retrain.length || [...steps.trainBySeed.values()].length < spec.seeds.length) {
        const setup = await trainerCheck(spec);
        if (dataset) {
          await withFieldNames(TRAIN_FIELDS, () => deps.trainers.checkTrainingDataset(dataset.id));
          for (const seed of retrain) plans.push(deps.trainers.trainingPlan(setup, dataset, seed, pipeline.group, spec.trainChoice));
        }
      }
      const reevaluate = [...steps.evaluateByModel.values()].filter(isBrokenRun).map((r) => r.faceModelId!);
      if (reevaluate.length) plans.push(...(await evaluationPlans(spec, reevaluate)));
      else await withFieldNames(EVALUATION_FIELDS, () => deps.evaluation.checkEvaluation({ benchmarks: spec.benchmarks, options: spec.evaluationOptions }, "model"));

      await stores.withLock(`pipeline:${id}`, () =>
        stores.transaction(async (tx) => {
          if (!(await tx.pipelines.reopen(id))) throw conflict(`pipeline ${id} is no longer FAILED or CANCELLED`);
          for (const plan of plans) {
            const extra = { pipelineId: id, group: pipeline.group };
            await (plan.kind === "TRANSFER" ? queueTransfer(tx, plan, extra) : queuePlannedRun(tx, plan, extra));
          }
          await tx.notify("pipelineUpdated", { pipelineId: id, status: "RUNNING" });
        }),
      );
      deps.executors.kick();
      // Steps that had never started (e.g. evaluations of models trained before a cancel).
      await advance(id);
      return (await stores.pipelines.byId(id))!;
    },
  };
}

export type PipelinesService = ReturnType<typeof createPipelinesService>;
