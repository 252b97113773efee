// Benchmark image features from either source: the FR model (embedding the images), or
// precomputed .npy files whose rows follow the benchmark's image order; whole (pair benchmarks)
// or streamed a block at a time (IJB: 2 x ~1 GB of features at full size).
import { openNpyRows, readNpy, type NpyRowReader } from "../../metrics";
import { AbortError } from "../inference/session-host";
import type { ImageSource } from "./image-tensors";
import type { EvaluationContext, Features } from "./outcome";
import type { FeatureFiles } from "./params";

/** Rows of features starting at row `firstRow`: NaN or Inf would silently poison every score (NaN compares false with every threshold). */
function assertFinite(data: Float32Array, dim: number, firstRow: number, what: string, path: string): Float32Array {
  const bad = data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw new Error(`${what} ${path} holds a non-finite value (${data[bad]}) at row ${firstRow + Math.floor(bad / dim)}, column ${bad % dim}; features must be finite numbers`);
  }
  return data;
}

function readMatrix(path: string, rows: number, what: string): { data: Float32Array; dim: number } {
  const array = readNpy(path);
  const [n, dim] = array.shape;
  if (array.shape.length !== 2 || n !== rows || !dim) {
    throw new Error(`${what} ${path} has shape (${array.shape.join(", ")}); expected (${rows}, dim): one row per benchmark image`);
  }
  return { data: assertFinite(array.data, dim, 0, what, path), dim };
}

export function readFeatureFiles(files: FeatureFiles, rows: number, benchmark: string): Features {
  const original = readMatrix(files.original, rows, `${benchmark}: features`);
  if (!files.flipped) return { original: original.data, flipped: null, dim: original.dim };
  const flipped = readMatrix(files.flipped, rows, `${benchmark}: flipped features`);
  if (flipped.dim !== original.dim) {
    throw new Error(`${benchmark}: flipped features have ${flipped.dim} values per image, the originals ${original.dim}`);
  }
  return { original: original.data, flipped: flipped.data, dim: original.dim };
}

/** Features of `count` images: from the .npy files when given, else embedded by the model. */
export async function benchmarkFeatures(
  benchmark: { name: string; features: FeatureFiles | null },
  count: number,
  source: (index: number) => ImageSource,
  context: EvaluationContext,
): Promise<Features> {
  const phase = `${benchmark.name}: embedding`;
  context.progress({ done: 0, total: count, phase });
  if (benchmark.features) {
    const features = readFeatureFiles(benchmark.features, count, benchmark.name);
    context.progress({ done: count, total: count, phase });
    return features;
  }
  const embedder = await context.embedder();
  return embedder.embed(count, source, (done) => context.progress({ done, total: count, phase }), context.signal);
}

const ROWS_PER_BLOCK = 8192;

/** One block of raw features: rows [start, start + original.length / dim) in image order. */
export type FeatureBlockHandler = (start: number, original: Float32Array, flipped: Float32Array | null, dim: number) => void;

/**
 * Features of `count` images a block at a time, in image order, never all at once: read from the
 * .npy files a block of rows at a time, or embedded by the model a batch at a time.
 */
export async function streamBenchmarkFeatures(
  benchmark: { name: string; features: FeatureFiles | null },
  count: number,
  source: (index: number) => ImageSource,
  context: EvaluationContext,
  onBlock: FeatureBlockHandler,
): Promise<{ dim: number; flipped: boolean }> {
  const phase = `${benchmark.name}: embedding`;
  context.progress({ done: 0, total: count, phase });
  if (!benchmark.features) {
    const embedder = await context.embedder();
    let dim = 0;
    await embedder.embedBatches(count, source, (start, original, flipped, d) => {
      dim = d;
      onBlock(start, original, flipped, d);
      context.progress({ done: start + original.length / d, total: count, phase });
    }, context.signal);
    return { dim, flipped: true };
  }
  const files = benchmark.features;
  const original = openNpyRows(files.original);
  const flipped = files.flipped ? openNpyRows(files.flipped) : null;
  try {
    const check = (reader: NpyRowReader, what: string, path: string) => {
      if (reader.rows !== count || reader.cols <= 0) {
        throw new Error(`${benchmark.name}: ${what} ${path} has shape (${reader.shape.join(", ")}); expected (${count}, dim): one row per benchmark image`);
      }
    };
    check(original, "features", files.original);
    if (flipped) {
      check(flipped, "flipped features", files.flipped!);
      if (flipped.cols !== original.cols) {
        throw new Error(`${benchmark.name}: flipped features have ${flipped.cols} values per image, the originals ${original.cols}`);
      }
    }
    const dim = original.cols;
    for (let start = 0; start < count; start += ROWS_PER_BLOCK) {
      if (context.signal.aborted) throw new AbortError(undefined, { cause: context.signal.reason });
      const n = Math.min(ROWS_PER_BLOCK, count - start);
      const originalRows = assertFinite(original.readRows(start, n), dim, start, `${benchmark.name}: features`, files.original);
      const flippedRows = flipped ? assertFinite(flipped.readRows(start, n), dim, start, `${benchmark.name}: flipped features`, files.flipped!) : null;
      onBlock(start, originalRows, flippedRows, dim);
      context.progress({ done: start + n, total: count, phase });
      await new Promise((resolve) => setImmediate(resolve));
    }
    return { dim, flipped: flipped !== null };
  } finally {
    original.close();
    flipped?.close();
  }
}
