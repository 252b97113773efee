// An EVALUATE run: embed each benchmark's images with the face model (or read precomputed
// features), compute the protocol's metrics (src/runners/evaluate), and store per benchmark its
// metrics and ROC curve as soon as it is done; fold/threshold details go into Run.details.
import type { Prisma } from "../../generated/prisma/client";
import { isEmbeddingSpec, parseModelInputSpec } from "../../models/input-spec";
import { runEvaluation, type EvaluateRunParams } from "../../runners/evaluate";
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

export async function runEvaluateJob(context: JobContext): Promise<JobOutcome> {
  const { run, signal, progress, services } = context;
  if (isDatasetQualityParams(run.params)) return runDatasetQualityJob(context);
  const params = run.params as unknown as EvaluateRunParams;
  const model = params.mode === "model" ? await faceModelOf(context) : null;
  if (params.mode === "model" && !model) throw new Error("this run evaluates a face model but names none");

  const result = await runEvaluation({
    params,
    model,
    signal,
    onProgress: (update) => progress.report(update),
    onBenchmark: (benchmark, outcome) =>
      services.stores.transaction(async (tx) => {
        const rows = outcome.metrics.map((m) => ({ runId: run.id, benchmarkId: benchmark.benchmarkId, name: m.name, value: m.value, std: m.std, step: 0 }));
        await tx.metrics.upsert(rows);
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
