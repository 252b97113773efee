// Dataset-level quality measures on face embeddings (rows of `dim` values), computed without
// training anything: the Fréchet distance between two embedding sets (FID's formula, on FR
// features) and identity separability (mean intra- vs inter-identity cosine similarity).
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import type { FloatArray } from "./embeddings";
import { mulberry32 } from "./seeded-random";

function rowsOf(x: FloatArray, dim: number, what: string): number {
  if (!Number.isInteger(dim) || dim <= 0) throw new Error(`${what}: dim must be a positive integer, got ${dim}`);
  if (x.length % dim !== 0) throw new Error(`${what}: length ${x.length} is not a multiple of dim ${dim}`);
  return x.length / dim;
}

/** Column means and the sample covariance (ddof = 1, as numpy.cov(x, rowvar=False)). */
export function meanAndCovariance(x: FloatArray, dim: number): { mean: Float64Array; cov: Matrix } {
  const n = rowsOf(x, dim, "meanAndCovariance");
  if (n < 2) throw new Error(`meanAndCovariance: need at least 2 rows, got ${n}`);
  const mean = new Float64Array(dim);
  for (let r = 0; r < n; r++) for (let j = 0; j < dim; j++) mean[j] += x[r * dim + j]!;
  for (let j = 0; j < dim; j++) mean[j] /= n;
  const cov = Matrix.zeros(dim, dim);
  const centred = new Float64Array(dim);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < dim; j++) centred[j] = x[r * dim + j]! - mean[j]!;
    for (let i = 0; i < dim; i++) {
      const ci = centred[i]!;
      for (let j = i; j < dim; j++) cov.set(i, j, cov.get(i, j) + ci * centred[j]!);
    }
  }
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      const v = cov.get(i, j) / (n - 1);
      cov.set(i, j, v);
      cov.set(j, i, v);
    }
  }
  return { mean, cov };
}

/** Eigenvalues of a symmetric matrix (negative round-off clipped to 0 by the callers). */
function symmetricEigen(m: Matrix): { values: number[]; vectors: Matrix } {
  const e = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  return { values: e.realEigenvalues, vectors: e.eigenvectorMatrix };
}

/** The PSD square root of a symmetric PSD matrix: V diag(sqrt(max(l, 0))) V^T. */
function psdSqrt(m: Matrix): Matrix {
  const { values, vectors } = symmetricEigen(m);
  const scaled = vectors.clone();
  for (let k = 0; k < values.length; k++) {
    const s = Math.sqrt(Math.max(values[k]!, 0));
    for (let i = 0; i < scaled.rows; i++) scaled.set(i, k, scaled.get(i, k) * s);
  }
  return scaled.mmul(vectors.transpose());
}

/**
 * Fréchet distance between Gaussians fitted to two embedding sets:
 * |mu1 - mu2|^2 + Tr(S1 + S2 - 2 (S1 S2)^{1/2}), where Tr((S1 S2)^{1/2}) is taken as the sum of
 * the square roots of the eigenvalues of the symmetric PSD matrix sqrt(S1) S2 sqrt(S1) (same
 * spectrum as S1 S2).
 */
export function frechetDistance(a: FloatArray, b: FloatArray, dim: number): number {
  const A = meanAndCovariance(a, dim);
  const B = meanAndCovariance(b, dim);
  let meanTerm = 0;
  for (let j = 0; j < dim; j++) meanTerm += (A.mean[j]! - B.mean[j]!) ** 2;
  const root = psdSqrt(A.cov);
  const middle = root.mmul(B.cov).mmul(root);
  // Symmetrise against round-off before the symmetric solver.
  const sym = middle.add(middle.transpose()).mul(0.5);
  const traceSqrt = symmetricEigen(sym).values.reduce((sum, l) => sum + Math.sqrt(Math.max(l, 0)), 0);
  return meanTerm + A.cov.trace() + B.cov.trace() - 2 * traceSqrt;
}

export interface IdentitySeparability {
  /** Mean cosine similarity over pairs of images of the same identity (null: no such pair). */
  intraCosine: number | null;
  /** Mean cosine similarity over pairs of images of different identities (null: no such pair). */
  interCosine: number | null;
  /** intra - inter (null when either is). */
  separability: number | null;
  intraPairs: number;
  interPairs: number;
  /** Whether pairs were sampled (more than maxPairs pairs in all). */
  sampled: boolean;
}

export interface SeparabilityOptions {
  /** Above this many pairs in all, `maxPairs` pairs are drawn (deterministically, by `seed`). */
  maxPairs?: number;
  seed?: number;
}

/**
 * Identity separability of a set of embeddings: cosine similarity of every pair (i < j), averaged
 * separately over same-identity and different-identity pairs. With more than `maxPairs` pairs,
 * pairs (i != j) are drawn uniformly with a seeded generator, so the result is reproducible.
 */
export function identitySeparability(
  emb: FloatArray,
  dim: number,
  identityOf: (index: number) => string,
  options: SeparabilityOptions = {},
): IdentitySeparability {
  const n = rowsOf(emb, dim, "identitySeparability");
  const maxPairs = options.maxPairs ?? 2_000_000;
  const norms = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let j = r * dim; j < (r + 1) * dim; j++) s += emb[j]! * emb[j]!;
    norms[r] = Math.sqrt(s);
  }
  const ids = Array.from({ length: n }, (_, i) => identityOf(i));
  const cosine = (p: number, q: number) => {
    let s = 0;
    for (let j = 0; j < dim; j++) s += emb[p * dim + j]! * emb[q * dim + j]!;
    const d = norms[p]! * norms[q]!;
    return d > 0 ? s / d : 0;
  };
  let intraSum = 0, intraPairs = 0, interSum = 0, interPairs = 0;
  const add = (p: number, q: number) => {
    const c = cosine(p, q);
    if (ids[p] === ids[q]) { intraSum += c; intraPairs++; } else { interSum += c; interPairs++; }
  };
  const total = (n * (n - 1)) / 2;
  const sampled = total > maxPairs;
  if (!sampled) {
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) add(p, q);
  } else {
    const random = mulberry32(options.seed ?? 0);
    for (let k = 0; k < maxPairs; k++) {
      const p = Math.floor(random() * n);
      let q = Math.floor(random() * (n - 1));
      if (q >= p) q++;
      add(p, q);
    }
  }
  const intraCosine = intraPairs ? intraSum / intraPairs : null;
  const interCosine = interPairs ? interSum / interPairs : null;
  return {
    intraCosine,
    interCosine,
    separability: intraCosine !== null && interCosine !== null ? intraCosine - interCosine : null,
    intraPairs,
    interPairs,
    sampled,
  };
}
