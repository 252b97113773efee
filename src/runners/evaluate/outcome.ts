// What evaluating one benchmark yields, in the shapes the store wants: metric values (fractions,
// named as in domain/metric-names), one ROC curve, and the details kept on the run.
import type { SkippedProvider } from "../inference/execution-provider";
import type { Embedder, ImageEmbeddings } from "./embedder";
import type { EvaluateBenchmarkParams, EvaluateRunParams } from "./params";

export interface MetricValue {
  name: string;
  value: number;
  std: number | null;
}

export interface RocPoints {
  x: number[];
  y: number[];
  /** Distance (pairs) or score (IJB) threshold of each point; null for +Infinity. */
  thresholds: (number | null)[];
  [key: string]: unknown;
}

export interface BenchmarkOutcome {
  metrics: MetricValue[];
  roc: RocPoints;
  details: Record<string, unknown>;
}

export interface ProgressUpdate {
  done: number;
  total: number;
  phase: string;
}

/** What a benchmark evaluator gets from the job. */
export interface EvaluationContext {
  params: EvaluateRunParams;
  /** The FR model's embedder (model mode), opened on first use and shared by the benchmarks. */
  embedder: () => Promise<Embedder>;
  signal: AbortSignal;
  progress: (update: ProgressUpdate) => void;
  /** Reads an image file (the worker's data-roots reader); default: any regular file. */
  readImage?: (file: string) => Promise<Buffer>;
}

export type BenchmarkEvaluator = (benchmark: EvaluateBenchmarkParams, context: EvaluationContext) => Promise<BenchmarkOutcome>;

/** JSON has no Infinity/NaN. */
export const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** Embeddings with the flipped half optional (precomputed features may come without it). */
export type Features = Omit<ImageEmbeddings, "flipped"> & { flipped: Float32Array | null };

export interface EmbedderInfo {
  provider: string;
  providerFallbacks: SkippedProvider[];
  batchSize: number;
}
