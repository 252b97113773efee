// Benchmark image features from either source: the FR model (embedding the images), or
// precomputed .npy files whose rows follow the benchmark's image order.
import { readNpy } from "../../metrics";
import type { ImageSource } from "./image-tensors";
import type { EvaluationContext, Features } from "./outcome";
import type { FeatureFiles } from "./params";

function readMatrix(path: string, rows: number, what: string): { data: Float32Array; dim: number } {
  const array = readNpy(path);
  const [n, dim] = array.shape;
  if (array.shape.length !== 2 || n !== rows || !dim) {
    throw new Error(`${what} ${path} has shape (${array.shape.join(", ")}); expected (${rows}, dim): one row per benchmark image`);
  }
  // NaN or Inf would silently poison every score (NaN compares false with every threshold).
  const bad = array.data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw new Error(`${what} ${path} holds a non-finite value (${array.data[bad]}) at row ${Math.floor(bad / dim)}, column ${bad % dim}; features must be finite numbers`);
  }
  return { data: array.data, dim };
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
