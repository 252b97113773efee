// Bit-exact ports of the numpy reductions the reference scripts rely on. Float addition is not
// associative, so "the same sum" in another order can differ in the last bit, and a last-bit
// difference can flip a `dist < threshold` decision. These follow numpy's own order.

type Round = (x: number) => number;
const identity: Round = (x) => x;

/**
 * numpy's pairwise summation (`np.add.reduce` over a contiguous axis, e.g. `np.sum(a, -1)`):
 * blocks of up to 128 summed with 8 interleaved accumulators, longer runs split in halves.
 * `round` = Math.fround gives the float32 variant.
 */
export function pairwiseSum(
  a: ArrayLike<number>,
  start = 0,
  n = a.length - start,
  round: Round = identity,
): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res = round(res + a[start + i]);
    return res;
  }
  if (n <= 128) {
    let r0 = a[start], r1 = a[start + 1], r2 = a[start + 2], r3 = a[start + 3];
    let r4 = a[start + 4], r5 = a[start + 5], r6 = a[start + 6], r7 = a[start + 7];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      const p = start + i;
      r0 = round(r0 + a[p]); r1 = round(r1 + a[p + 1]);
      r2 = round(r2 + a[p + 2]); r3 = round(r3 + a[p + 3]);
      r4 = round(r4 + a[p + 4]); r5 = round(r5 + a[p + 5]);
      r6 = round(r6 + a[p + 6]); r7 = round(r7 + a[p + 7]);
    }
    let res = round(
      round(round(r0 + r1) + round(r2 + r3)) + round(round(r4 + r5) + round(r6 + r7)),
    );
    for (; i < n; i++) res = round(res + a[start + i]);
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return round(pairwiseSum(a, start, n2, round) + pairwiseSum(a, start + n2, n - n2, round));
}

/** `np.mean(a)` of a 1-D float64 array. */
export function npMean(a: ArrayLike<number>): number {
  return pairwiseSum(a) / a.length;
}

/** `np.std(a)` (population, ddof=0) of a 1-D float64 array, computed as numpy's `_var` does. */
export function npStd(a: ArrayLike<number>): number {
  const mean = npMean(a);
  const sq = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - mean;
    sq[i] = d * d;
  }
  return Math.sqrt(pairwiseSum(sq) / a.length);
}

/**
 * One row of `np.einsum("ij,ij->i", X, X)` for float64 as numpy (1.2x and 2.x) computes it on
 * x86-64: two SIMD lanes, a 4-way unrolled multiply-add chain, then lane0 + lane1. This is the
 * norm inside `sklearn.preprocessing.normalize`. (aarch64 builds fuse the multiply-add and can
 * differ in the last bit.)
 */
export function einsumRowSquaredNorm(x: ArrayLike<number>, start: number, n: number): number {
  let acc0 = 0;
  let acc1 = 0;
  let i = 0;
  for (; n - i >= 8; i += 8) {
    const p = start + i;
    acc0 = x[p] * x[p] + (x[p + 2] * x[p + 2] + (x[p + 4] * x[p + 4] + (x[p + 6] * x[p + 6] + acc0)));
    acc1 = x[p + 1] * x[p + 1] + (x[p + 3] * x[p + 3] + (x[p + 5] * x[p + 5] + (x[p + 7] * x[p + 7] + acc1)));
  }
  for (; i < n; i += 2) {
    const p = start + i;
    acc0 = x[p] * x[p] + acc0;
    if (i + 1 < n) acc1 = x[p + 1] * x[p + 1] + acc1;
  }
  return acc0 + acc1;
}

/**
 * `np.sum(a * b, -1)` for one row: the products, then numpy's pairwise summation, without a
 * temporary array (same values, same order as pairwiseSum over the products).
 */
export function pairwiseDot(a: ArrayLike<number>, aStart: number, b: ArrayLike<number>, bStart: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[aStart + i] * b[bStart + i];
    return res;
  }
  if (n <= 128) {
    let r0 = a[aStart] * b[bStart], r1 = a[aStart + 1] * b[bStart + 1];
    let r2 = a[aStart + 2] * b[bStart + 2], r3 = a[aStart + 3] * b[bStart + 3];
    let r4 = a[aStart + 4] * b[bStart + 4], r5 = a[aStart + 5] * b[bStart + 5];
    let r6 = a[aStart + 6] * b[bStart + 6], r7 = a[aStart + 7] * b[bStart + 7];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      const p = aStart + i;
      const q = bStart + i;
      r0 += a[p] * b[q]; r1 += a[p + 1] * b[q + 1];
      r2 += a[p + 2] * b[q + 2]; r3 += a[p + 3] * b[q + 3];
      r4 += a[p + 4] * b[q + 4]; r5 += a[p + 5] * b[q + 5];
      r6 += a[p + 6] * b[q + 6]; r7 += a[p + 7] * b[q + 7];
    }
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) res += a[aStart + i] * b[bStart + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseDot(a, aStart, b, bStart, n2) + pairwiseDot(a, aStart + n2, b, bStart + n2, n - n2);
}
