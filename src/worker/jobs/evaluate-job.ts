// An EVALUATE run: embed each benchmark's images with the face model (or read precomputed
// features), compute the protocol's metrics (src/runners/evaluate), and return per benchmark its
// metrics and ROC curve as the outcome; fold/threshold details go into Run.details.
import type { OutcomeCurve, OutcomeMetric } from "../../domain/run-outcome";
import { runEvaluation, type EvaluateRunParams } from "../../runners/evaluate";
import { ijbMetaFiles } from "../../runners/evaluate/ijb-layout";
import { assertRegularFile, createRunnerFiles } from "../../runners/runner-files";
import type { DataPaths } from "../../services/data-paths";
import { isDatasetQualityParams } from "../../runners/quality/params";
import { runDatasetQualityJob } from "./dataset-quality-job";
import { embeddingModel } from "./embedding-model";
import type { JobContext, RunOutcome } from "./job";

async function faceModelOf({ run, lookups }: JobContext) {
  if (!run.faceModelId) return null;
  const model = await embeddingModel(lookups, run.faceModelId);
  return { path: model.modelPath, spec: model.spec };
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

export async function runEvaluateJob(context: JobContext): Promise<RunOutcome> {
  const { run, signal, progress, paths } = context;
  // A dataset-quality run stored as EVALUATE before it became its own kind.
  if (isDatasetQualityParams(run.params)) return runDatasetQualityJob(context);
  const params = await recheckPaths(run.params as EvaluateRunParams, paths);
  const found = params.mode === "model" ? await faceModelOf(context) : null;
  const model = found && { ...found, path: await paths.resolveExisting("faceModel.modelPath", found.path, "file") };
  if (params.mode === "model" && !model) throw new Error("this run evaluates a face model but names none");

  const metrics: OutcomeMetric[] = [];
  const curves: OutcomeCurve[] = [];
  const result = await runEvaluation({
    params,
    model,
    signal,
    onProgress: (update) => progress.report(update),
    readImage: createRunnerFiles(paths.roots).read,
    onBenchmark: async (benchmark, outcome) => {
      for (const m of outcome.metrics) metrics.push({ benchmarkId: benchmark.benchmarkId, name: m.name, value: m.value, std: m.std, step: 0 });
      curves.push({ benchmarkId: benchmark.benchmarkId, kind: "ROC", points: outcome.roc });
    },
  });
  return {
    metrics,
    curves,
    device: result.embedder?.provider ?? "cpu",
    details: {
      benchmarks: result.benchmarks,
      seconds: result.seconds,
      ...(result.embedder ?? {}),
    },
  };
}
