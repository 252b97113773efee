// The one place a finished run's results are recorded: the outcome its job returned
// (metrics, curves, the produced dataset or face model, details, device) is checked,
// then written in ONE transaction with the run's SUCCEEDED transition, its audit
// events and its events (metricLogged, runUpdated). A failing write leaves nothing:
// the run stays RUNNING, and the caller fails it with the error. Local workers call it
// directly; remote jobs through the finishRun mutation with their run token.
import { randomUUID } from "node:crypto";
import type { BoundStores, Stores } from "../db/stores";
import type { MetricRow } from "../db/stores/metrics-store";
import type { OutcomeCurve, OutcomeMetric, ProducedDataset, ProducedFaceModel, RunOutcome } from "../domain/run-outcome";
import type { Prisma, Run } from "../generated/prisma/client";
import { AppError, badInput, conflict } from "../errors";
import type { Actor } from "./actor";
import type { DataPaths } from "./data-paths";
import { parseInputSpec } from "./input-spec-validation";
import { assertJsonSize } from "./json-bounds";
import { metricAuditChanges } from "./metrics-service";
import { checkOnnxModel } from "./onnx-check";
import { isUniqueViolation } from "./prisma-errors";
import type { RunsService } from "./runs-service";

export const MAX_OUTCOME_METRICS = 10_000;
const MAX_OUTCOME_CURVES = 200;
const MAX_CURVE_BYTES = 2 * 1024 * 1024;
/** Evaluation details carry per-fold thresholds of every benchmark: more than a client's details, still bounded. */
const MAX_DETAILS_BYTES = 1024 * 1024;
const MAX_NAME = 200;

function checkName(field: string, value: unknown, max = MAX_NAME): string {
  const name = typeof value === "string" ? value.trim() : "";
  if (!name || name.length > max) throw badInput(field, `must be 1-${max} characters`);
  return name;
}

function checkCount(field: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 0) throw badInput(field, `must be a non-negative integer, got ${value}`);
  return value as number;
}

/** Checked metric rows, unique on their key (the last point wins, as in logMetrics). */
function metricRows(runId: string, metrics: readonly OutcomeMetric[]): MetricRow[] {
  if (metrics.length > MAX_OUTCOME_METRICS) throw badInput("outcome.metrics", `at most ${MAX_OUTCOME_METRICS} metrics, got ${metrics.length}`);
  const rows = new Map<string, MetricRow>();
  metrics.forEach((m, i) => {
    const field = `outcome.metrics[${i}]`;
    const name = checkName(`${field}.name`, m.name);
    if (!Number.isFinite(m.value)) throw badInput(`${field}.value`, `must be a finite number, got ${m.value}`);
    if (m.std != null && !Number.isFinite(m.std)) throw badInput(`${field}.std`, "must be a finite number");
    const step = m.step ?? 0;
    if (!Number.isInteger(step) || step < 0) throw badInput(`${field}.step`, `must be a non-negative integer, got ${step}`);
    const benchmarkId = m.benchmarkId ?? null;
    rows.set(`${benchmarkId}\u0000${name}\u0000${step}`, { runId, benchmarkId, name, value: m.value, std: m.std ?? null, step });
  });
  return [...rows.values()];
}

function checkCurves(curves: readonly OutcomeCurve[]): OutcomeCurve[] {
  if (curves.length > MAX_OUTCOME_CURVES) throw badInput("outcome.curves", `at most ${MAX_OUTCOME_CURVES} curves, got ${curves.length}`);
  return curves.map((c, i) => {
    const kind = checkName(`outcome.curves[${i}].kind`, c.kind, 50);
    if (c.points == null || typeof c.points !== "object") throw badInput(`outcome.curves[${i}].points`, "must be a JSON object or array");
    assertJsonSize(`outcome.curves[${i}].points`, c.points, MAX_CURVE_BYTES);
    return { benchmarkId: c.benchmarkId ?? null, kind, points: c.points };
  });
}

export function createRunOutcomeService(stores: Stores, runs: RunsService, paths: DataPaths) {
  async function checkBenchmarks(ids: Array<string | null>): Promise<void> {
    const wanted = [...new Set(ids.filter((id): id is string => id != null))];
    if (!wanted.length) return;
    const found = new Set((await stores.catalogue.benchmarksByIds(wanted)).map((b) => b.id));
    const missing = wanted.find((id) => !found.has(id));
    if (missing) throw badInput("outcome.metrics.benchmarkId", `benchmark ${JSON.stringify(missing)} does not exist`);
  }

  /** The dataset row a TRANSFER outcome registers, lineage taken from the run itself (never from the caller). */
  async function datasetRow(run: Run, produced: ProducedDataset): Promise<Prisma.DatasetUncheckedCreateInput> {
    if (!run.datasetId || !run.transferMethodId) throw badInput("outcome.dataset", `run ${run.id} has no input dataset and transfer method, so it produces no dataset`);
    const [method] = await stores.catalogue.methodsByIds([run.transferMethodId]);
    const [source] = await stores.catalogue.datasetsByIds([run.datasetId]);
    if (!method || !source) throw conflict(`run ${run.id}'s input dataset or transfer method no longer exists`);
    // The output folder is the one the launch chose, not whatever a caller names.
    const launched = (run.params as { outputDir?: unknown } | null)?.outputDir;
    if (typeof launched === "string" && produced.uri !== launched) throw badInput("outcome.dataset.uri", `must be the run's output folder ${JSON.stringify(launched)}`);
    return {
      name: checkName("outcome.dataset.name", produced.name),
      kind: "REALISM_TRANSFERRED",
      requirement: method.requirement,
      imageCount: checkCount("outcome.dataset.imageCount", produced.imageCount),
      identityCount: checkCount("outcome.dataset.identityCount", produced.identityCount),
      // Stored as the launch wrote it (every reader resolves it again); it must be a folder inside the data roots.
      uri: (await paths.resolveExisting("outcome.dataset.uri", produced.uri, "directory")) && produced.uri,
      sourceDatasetId: source.id,
      transferMethodId: method.id,
      producedByRunId: run.id,
      description: `${method.name} applied to ${source.name}`,
    };
  }

  /** The face model row a TRAIN outcome registers: its ONNX file checked as registerFaceModel checks it. */
  async function faceModelRow(run: Run, produced: ProducedFaceModel): Promise<Prisma.FaceModelUncheckedCreateInput> {
    if (!run.datasetId) throw badInput("outcome.faceModel", `run ${run.id} has no training dataset, so it produces no face model`);
    const modelPath = await paths.resolveExisting("outcome.faceModel.modelPath", produced.modelPath, "file");
    const inputSpec = parseInputSpec("outcome.faceModel.inputSpec", produced.inputSpec);
    await checkOnnxModel("outcome.faceModel.modelPath", modelPath, inputSpec);
    return {
      name: checkName("outcome.faceModel.name", produced.name),
      backbone: checkName("outcome.faceModel.backbone", produced.backbone),
      head: checkName("outcome.faceModel.head", produced.head),
      trainedOnId: run.datasetId,
      producedByRunId: run.id,
      modelPath,
      inputSpec: inputSpec as Prisma.InputJsonObject,
    };
  }

  return {
    /**
     * Records `outcome` and makes the RUNNING run SUCCEEDED, all in one transaction.
     * Throws (writing nothing) when the outcome is invalid or a write fails.
     */
    async record(runId: string, outcome: RunOutcome, actor: Actor, options: { mayRegisterOutputs?: boolean } = {}): Promise<Run> {
      // A produced dataset or face model enters the catalogue (otherwise ADMIN's): only the run's own job registers it.
      if ((outcome.dataset || outcome.faceModel) && options.mayRegisterOutputs === false) {
        throw new AppError("FORBIDDEN", `finishRun: only the run's own token (or ADMIN) registers a produced ${outcome.dataset ? "dataset" : "face model"}`);
      }
      const run = await runs.require(runId);
      if (run.status !== "RUNNING") throw conflict(`run ${runId} is ${run.status}; only a RUNNING run records its outcome`);
      const rows = metricRows(run.id, outcome.metrics ?? []);
      const curves = checkCurves(outcome.curves ?? []);
      await checkBenchmarks([...rows.map((r) => r.benchmarkId), ...curves.map((c) => c.benchmarkId)]);
      if (outcome.details != null && (typeof outcome.details !== "object" || Array.isArray(outcome.details))) throw badInput("outcome.details", "must be a JSON object");
      const details = { ...((run.details as object | null) ?? {}), ...(outcome.details ?? {}) };
      if (outcome.device != null) checkName("outcome.device", outcome.device, 100);
      // A retried run may have registered its output already: that one is kept.
      const [existingDataset] = outcome.dataset ? await stores.catalogue.datasetsByProducingRunIds([run.id]) : [];
      const [existingModel] = outcome.faceModel ? await stores.catalogue.faceModelsByProducingRunIds([run.id]) : [];
      const dataset = outcome.dataset && !existingDataset ? { id: randomUUID(), ...(await datasetRow(run, outcome.dataset)) } : null;
      const faceModel = outcome.faceModel && !existingModel ? { id: randomUUID(), ...(await faceModelRow(run, outcome.faceModel)) } : null;
      const datasetId = existingDataset?.id ?? dataset?.id;
      const faceModelId = existingModel?.id ?? faceModel?.id;
      Object.assign(details, datasetId ? { datasetId } : {}, faceModelId ? { faceModelId } : {});
      assertJsonSize("outcome.details", details, MAX_DETAILS_BYTES);

      const writeResults = async (tx: BoundStores) => {
        if (rows.length) {
          const inserted = await tx.metrics.upsert(rows);
          await tx.audit.record({ runId: run.id, actor: actor.name, tokenId: actor.tokenId, action: "logMetrics", changes: metricAuditChanges(rows, inserted) });
          await tx.notify("metricLogged", { runId: run.id, count: rows.length, names: [...new Set(rows.map((r) => r.name))].slice(0, 50) });
        }
        for (const curve of curves) {
          await tx.metrics.upsertCurve({ runId: run.id, benchmarkId: curve.benchmarkId, kind: curve.kind, points: curve.points as Prisma.InputJsonValue });
        }
        try {
          if (dataset) await tx.catalogue.createDataset(dataset);
          if (faceModel) await tx.catalogue.createFaceModel(faceModel);
        } catch (error) {
          if (isUniqueViolation(error)) {
            throw conflict(`the run's output cannot be registered: a ${dataset ? "dataset" : "face model"} named ${JSON.stringify(dataset?.name ?? faceModel?.name)} already exists`);
          }
          throw error;
        }
      };
      const changes = { status: { from: "RUNNING", to: "SUCCEEDED" }, detailKeys: Object.keys(details) };
      return runs.transition(
        run,
        "SUCCEEDED",
        { details: details as Prisma.InputJsonObject, ...(outcome.device ? { device: outcome.device } : {}) },
        { audit: { actor, action: "finish", changes }, alsoWrite: writeResults },
      );
    },
  };
}

export type RunOutcomeService = ReturnType<typeof createRunOutcomeService>;
