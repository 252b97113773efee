// An evaluation: every benchmark of the run in turn, with one embedder (opened on first use)
// shared by all of them. Each benchmark's outcome goes to `onBenchmark` as soon as it is known,
// so a run that fails on its third benchmark keeps the first two.
import type { EmbeddingSpec } from "../../models/input-spec";
import { Embedder } from "./embedder";
import { evaluateIjbBenchmark } from "./ijb-benchmark";
import type { BenchmarkOutcome, EmbedderInfo, EvaluationContext, ProgressUpdate } from "./outcome";
import { evaluatePairBenchmark } from "./pair-benchmark";
import type { EvaluateBenchmarkParams, EvaluateRunParams } from "./params";

export interface EvaluationRequest {
  params: EvaluateRunParams;
  /** The FR model (model mode). */
  model: { path: string; spec: EmbeddingSpec } | null;
  signal: AbortSignal;
  onProgress: (update: ProgressUpdate) => void;
  onBenchmark: (benchmark: EvaluateBenchmarkParams, outcome: BenchmarkOutcome) => Promise<void>;
  /** Tried in order; default ["cuda", "cpu"]. */
  executionProviders?: readonly string[];
  /** Reads image files (the worker's data-roots reader, src/runners/runner-files.ts). */
  readImage?: (file: string) => Promise<Buffer>;
}

export interface EvaluationResult {
  /** Details per benchmark name. */
  benchmarks: Record<string, Record<string, unknown>>;
  /** The model's execution provider and batch size; null when no image was embedded. */
  embedder: EmbedderInfo | null;
  seconds: number;
}

export async function runEvaluation(request: EvaluationRequest): Promise<EvaluationResult> {
  const started = performance.now();
  const state: { opening: Promise<Embedder> | null } = { opening: null };
  const context: EvaluationContext = {
    params: request.params,
    signal: request.signal,
    progress: request.onProgress,
    ...(request.readImage ? { readImage: request.readImage } : {}),
    embedder: () => {
      const model = request.model;
      if (!model) return Promise.reject(new Error("this evaluation has no FR model to embed images with"));
      return (state.opening ??= Embedder.open(model.path, model.spec, {
        batchSize: request.params.batchSize,
        executionProviders: request.executionProviders,
      }));
    },
  };
  const benchmarks: EvaluationResult["benchmarks"] = {};
  let embedder: Embedder | null = null;
  try {
    for (const benchmark of request.params.benchmarks) {
      const evaluate = benchmark.protocol === "PAIRS_10FOLD" ? evaluatePairBenchmark : evaluateIjbBenchmark;
      const outcome = await evaluate(benchmark, context);
      await request.onBenchmark(benchmark, outcome);
      benchmarks[benchmark.name] = outcome.details;
    }
  } finally {
    embedder = state.opening ? await state.opening.catch(() => null) : null;
    await embedder?.close();
  }
  return {
    benchmarks,
    embedder: embedder && { provider: embedder.provider, providerFallbacks: embedder.fallbacks, batchSize: embedder.batchSize },
    seconds: (performance.now() - started) / 1000,
  };
}
