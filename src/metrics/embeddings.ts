// Embedding post-processing for the pair benchmarks, as insightface's eval/verification.py does
// it: float64 throughout (its `embeddings` buffers are np.zeros, i.e. float64), flip fusion by
// plain addition, sklearn's row-wise L2 normalisation, squared L2 distance summed by numpy.
import { einsumRowSquaredNorm, pairwiseSum } from "./numpy-reduce";

export type FloatArray = Float32Array | Float64Array;

const SKLEARN_ZERO_NORM = 10 * 2.220446049250313e-16; // _handle_zeros_in_scale: 10 * eps

function checkRows(x: FloatArray, dim: number, what: string): number {
  if (!Number.isInteger(dim) || dim <= 0) throw new Error(`${what}: dim must be a positive integer, got ${dim}`);
  if (x.length % dim !== 0) throw new Error(`${what}: length ${x.length} is not a multiple of dim ${dim}`);
  return x.length / dim;
}

/** `sklearn.preprocessing.normalize(X)` (L2, rows); near-zero rows are left unscaled like sklearn. */
export function l2NormalizeRows(x: FloatArray, dim: number): Float64Array {
  const rows = checkRows(x, dim, "l2NormalizeRows");
  const out = Float64Array.from(x);
  for (let r = 0; r < rows; r++) {
    let norm = Math.sqrt(einsumRowSquaredNorm(out, r * dim, dim));
    if (norm < SKLEARN_ZERO_NORM) norm = 1;
    for (let j = r * dim; j < (r + 1) * dim; j++) out[j] /= norm;
  }
  return out;
}

/** Flip fusion: raw(original) + raw(flipped) in float64, then L2-normalise each row. */
export function fuseFlipped(original: FloatArray, flipped: FloatArray, dim: number): Float64Array {
  checkRows(original, dim, "fuseFlipped");
  if (original.length !== flipped.length) {
    throw new Error(`fuseFlipped: original has ${original.length} values, flipped ${flipped.length}`);
  }
  const sum = new Float64Array(original.length);
  for (let i = 0; i < sum.length; i++) sum[i] = original[i] + flipped[i];
  return l2NormalizeRows(sum, dim);
}

/**
 * Squared L2 distance between row i of `a` and row i of `b`
 * (`np.sum(np.square(a - b), 1)`). With `normalize` (default) each row is L2-normalised first.
 */
export function squaredL2Distances(
  a: FloatArray,
  b: FloatArray,
  dim: number,
  options: { normalize?: boolean } = {},
): Float64Array {
  const rows = checkRows(a, dim, "squaredL2Distances");
  if (a.length !== b.length) throw new Error(`squaredL2Distances: a has ${a.length} values, b ${b.length}`);
  const normalize = options.normalize ?? true;
  const na = normalize ? l2NormalizeRows(a, dim) : a;
  const nb = normalize ? l2NormalizeRows(b, dim) : b;
  const sq = new Float64Array(dim);
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < dim; j++) {
      const d = na[r * dim + j] - nb[r * dim + j];
      sq[j] = d * d;
    }
    out[r] = pairwiseSum(sq);
  }
  return out;
}

/** insightface's layout: rows 2i and 2i+1 form pair i (`embeddings[0::2]` vs `embeddings[1::2]`). */
export function interleavedPairDistances(
  embeddings: FloatArray,
  dim: number,
  options: { normalize?: boolean } = {},
): Float64Array {
  const rows = checkRows(embeddings, dim, "interleavedPairDistances");
  if (rows % 2 !== 0) throw new Error(`interleavedPairDistances: odd number of rows (${rows})`);
  const a = new Float64Array((rows / 2) * dim);
  const b = new Float64Array((rows / 2) * dim);
  for (let p = 0; p < rows / 2; p++) {
    a.set(embeddings.subarray(2 * p * dim, (2 * p + 1) * dim), p * dim);
    b.set(embeddings.subarray((2 * p + 1) * dim, (2 * p + 2) * dim), p * dim);
  }
  return squaredL2Distances(a, b, dim, options);
}
