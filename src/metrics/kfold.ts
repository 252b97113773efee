/**
 * Test-fold ranges of sklearn's `KFold(n_splits=k, shuffle=False)`: contiguous blocks in input
 * order; the first `n % k` folds hold one extra sample. Each entry is [start, end).
 */
export function kFoldTestRanges(n: number, k: number): Array<[number, number]> {
  if (!Number.isInteger(k) || k < 2) throw new Error(`k-fold: need at least 2 folds, got ${k}`);
  if (!Number.isInteger(n) || n < k) {
    throw new Error(`k-fold: cannot split ${n} pairs into ${k} folds (need at least ${k})`);
  }
  const base = Math.floor(n / k);
  const extra = n % k;
  const ranges: Array<[number, number]> = [];
  let start = 0;
  for (let f = 0; f < k; f++) {
    const size = base + (f < extra ? 1 : 0);
    ranges.push([start, start + size]);
    start += size;
  }
  return ranges;
}
