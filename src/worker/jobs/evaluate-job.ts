// An EVALUATE run: embed each benchmark's images with the face model (or read precomputed
// features), compute the protocol's metrics (src/runners/evaluate), and store per benchmark its
// metrics and ROC curve as soon as it is done; fold/threshold details go into Run.details.
import type { Prisma } from "../../generated/prisma/client";
import { isEmbeddingSpec, parseModelInputSpec } from "../../models/input-spec";
import { runEvaluation, type EvaluateRunParams } from "../../runners/evaluate";
import { ijbMetaFiles } from "../../runners/evaluate/ijb-layout";
import { assertRegularFile, createRunnerFiles } from "../../runners/runner-files";
import type { DataPaths } from "../../services/data-paths";
import { metricAuditChanges } from "../../services/metrics-service";
import { isDatasetQualityParams } from "../../runners/quality/params";
import { runDatasetQualityJob } from "./dataset-quality-job";
import type { JobContext, JobOutcome } from "./job";

async function faceModelOf({ run, services }: JobContext) {
  if (!run.faceModelId) return null;
  const [model] = await services.stores.catalogue.faceModelsByIds([run.faceModelId]);
  if (!model) throw new Error(`face model ${run.faceModelId} no longer exists`);
  const spec = parseModelInputSpec(model.inputSpec);
  if (!isEmbeddingSpec(spec)) throw new Error(`face model ${model.name}'s input spec does not describe an embedding output`);
  return { path: model.modelPath, spec };
}

/**
 * The launch resolved every path inside the data roots; the files may have changed
 * since (a symlink swapped, a FIFO put in place), so each is resolved again, and
 * files must be regular, before any reader opens them.
 */
async function recheckPaths(params: EvaluateRunParams, dataPaths: DataPaths): Promise<EvaluateRunParams> {
  const file = async (field: string, value: string) => {
    const real = await dataPaths.resolveExisting(field, value, "file");
    await assertRegularFile(real);
    return real;
  };
  for (const b of params.benchmarks) {
    if (b.protocol !== "IJB_TEMPLATE_1TO1" || !b.dataPath) continue;
    for (const meta of Object.values(ijbMetaFiles(b.dataPath, b.ijbPrefix ?? "ijbc"))) await file(`${b.name}.meta`, meta);
  }
  const benchmarks = await Promise.all(
    params.benchmarks.map(async (b) => ({
      ...b,
      dataPath: b.dataPath && (await (b.protocol === "PAIRS_10FOLD" ? file(`${b.name}.dataPath`, b.dataPath) : dataPaths.resolveExisting(`${b.name}.dataPath`, b.dataPath, "directory"))),
      imageDir: b.imageDir && (await dataPaths.resolveExisting(`${b.name}.imageDir`, b.imageDir, "directory")),
      features: b.features && {
        original: await file(`${b.name}.features`, b.features.original),
        flipped: b.features.flipped && (await file(`${b.name}.flippedFeatures`, b.features.flipped)),
        issame: b.features.issame && (await file(`${b.name}.issame`, b.features.issame)),
      },
    })),
  );
  return { ...params, benchmarks };
}

export async function runEvaluateJob(context: JobContext): Promise<JobOutcome> {
  const { run, signal, progress, services } = context;
  if (isDatasetQualityParams(run.params)) return runDatasetQualityJob(context);
  const params = await recheckPaths(run.params as unknown as EvaluateRunParams, services.dataPaths);
  const found = params.mode === "model" ? await faceModelOf(context) : null;
  const model = found && { ...found, path: await services.dataPaths.resolveExisting("faceModel.modelPath", found.path, "file") };
  if (params.mode === "model" && !model) throw new Error("this run evaluates a face model but names none");

  const result = await runEvaluation({
    params,
    model,
    signal,
    onProgress: (update) => progress.report(update),
    readImage: createRunnerFiles(services.dataPaths.roots).read,
    onBenchmark: (benchmark, outcome) =>
      services.stores.transaction(async (tx) => {
        const rows = outcome.metrics.map((m) => ({ runId: run.id, benchmarkId: benchmark.benchmarkId, name: m.name, value: m.value, std: m.std, step: 0 }));
        const inserted = await tx.metrics.upsert(rows);
        await tx.audit.record({ runId: run.id, actor: `worker ${context.identity.name}`, tokenId: null, action: "logMetrics", changes: metricAuditChanges(rows, inserted) });
        await tx.notify("metricLogged", { runId: run.id, count: rows.length, names: rows.map((r) => r.name) });
        await tx.metrics.upsertCurve({
          runId: run.id,
          benchmarkId: benchmark.benchmarkId,
          kind: "ROC",
          points: outcome.roc as unknown as Prisma.InputJsonObject,
        });
      }),
  });
  return {
    device: result.embedder?.provider ?? "cpu",
    details: {
      benchmarks: result.benchmarks,
      seconds: result.seconds,
      ...(result.embedder ?? {}),
    },
  };
}
