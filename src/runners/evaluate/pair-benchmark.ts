// A 10-fold pair benchmark (LFW, CFP-FP, ...) from an insightface .bin: embed the 2N images
// (original + flipped), fuse and normalise, squared L2 per pair, evaluateVerification.
import { evaluateVerificationEmbeddings, readInsightfaceBin, type InsightfaceBin, type VerificationResult } from "../../metrics";
import { ACCURACY, VAL_AT_FAR_1E3 } from "../../domain/metric-names";
import { benchmarkFeatures } from "./features";
import { readIssame } from "./issame-file";
import { finiteOrNull, type BenchmarkEvaluator, type BenchmarkOutcome, type MetricValue } from "./outcome";
import type { EvaluateBenchmarkParams } from "./params";
import { checkBenchmarkSize } from "./protocol-size";

function readBin(benchmark: EvaluateBenchmarkParams): InsightfaceBin {
  if (!benchmark.dataPath) throw new Error(`benchmark ${benchmark.name}: no .bin file to read`);
  try {
    return readInsightfaceBin(benchmark.dataPath);
  } catch (error) {
    throw new Error(`benchmark ${benchmark.name}: ${(error as Error).message}`);
  }
}

function outcome(result: VerificationResult, issame: boolean[], source: "model" | "features"): BenchmarkOutcome {
  const metrics: MetricValue[] = [{ name: ACCURACY, value: result.accuracy, std: result.accuracyStd }];
  if (result.val) metrics.push({ name: VAL_AT_FAR_1E3, value: result.val.val, std: result.val.valStd });
  const positives = issame.filter(Boolean).length;
  return {
    metrics,
    // The 10-fold averaged ROC over the accuracy grid (insightface's tpr/fpr).
    roc: { x: result.roc.fpr, y: result.roc.tpr, thresholds: result.roc.thresholds },
    details: {
      protocol: "PAIRS_10FOLD",
      source,
      pairs: result.pairs,
      positivePairs: positives,
      negativePairs: result.pairs - positives,
      folds: result.folds,
      accuracy: result.accuracy,
      accuracyStd: result.accuracyStd,
      foldAccuracies: result.foldAccuracies,
      bestThresholds: result.bestThresholds,
      val: result.val ? { ...result.val, foldThresholds: result.val.foldThresholds.map(finiteOrNull) } : null,
      ...(result.valError ? { valError: result.valError } : {}),
    },
  };
}

export const evaluatePairBenchmark: BenchmarkEvaluator = async (benchmark, context) => {
  const { features } = benchmark;
  const bin = features?.issame ? null : readBin(benchmark);
  const issame = bin ? bin.issame : await readIssame(features!.issame!);
  checkBenchmarkSize(benchmark.name, issame.length, { allowNonStandardSize: context.params.allowNonStandardSize });
  const images = 2 * issame.length;
  const embedded = await benchmarkFeatures(
    benchmark,
    images,
    (i) => {
      const bytes = bin!.bins[i]!;
      return {
        data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        label: `benchmark ${benchmark.name}: image ${i} (pair ${i >> 1}) of ${benchmark.dataPath}`,
      };
    },
    context,
  );
  const phase = `${benchmark.name}: scoring`;
  context.progress({ done: 0, total: issame.length, phase });
  const result = evaluateVerificationEmbeddings(embedded.original, embedded.flipped, embedded.dim, issame);
  context.progress({ done: issame.length, total: issame.length, phase });
  return outcome(result, issame, features ? "features" : "model");
};
