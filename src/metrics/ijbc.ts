// IJB-B/C 1:1 verification readout as insightface recognition/arcface_torch/eval_ijbc.py does it:
//   fpr, tpr, _ = roc_curve(label, score); fpr = np.flipud(fpr); tpr = np.flipud(tpr)
//   _, min_index = min(list(zip(abs(fpr - x), range(len(fpr)))))   # first minimum
// i.e. the point whose FPR is nearest the target, the highest-TPR one among equals. Not
// interpolated. Pooling/scoring live in ijbc-templates.ts, the meta parsers in ijbc-meta.ts.
import { rocCurve, type RocCurve } from "./roc";

/** x_labels of eval_ijbc.py: 10 ** -6 ... 10 ** -1 (equal to the literals 1e-6 ... 1e-1). */
export const IJB_FMRS: readonly number[] = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1];

export interface TarAtFmr {
  fmr: number;
  tar: number;
  /** The FPR actually read off, and the score threshold of that ROC point. */
  fpr: number;
  threshold: number;
  /** Index of the point in the (unflipped) roc arrays. */
  index: number;
}

export function tarAtFmr(roc: RocCurve, fmrs: readonly number[] = IJB_FMRS): TarAtFmr[] {
  const L = roc.fpr.length;
  if (L === 0) throw new Error("tarAtFmr: empty ROC");
  return fmrs.map((fmr) => {
    // Walk the flipped arrays (original index L-1-j); strict < keeps the first minimum.
    let bestJ = 0;
    let bestDiff = Math.abs(roc.fpr[L - 1] - fmr);
    for (let j = 1; j < L; j++) {
      const d = Math.abs(roc.fpr[L - 1 - j] - fmr);
      if (d < bestDiff) {
        bestDiff = d;
        bestJ = j;
      }
    }
    const index = L - 1 - bestJ;
    return { fmr, tar: roc.tpr[index], fpr: roc.fpr[index], threshold: roc.thresholds[index], index };
  });
}

/** roc_curve + readout in one call. */
export function ijbTarAtFmr(
  labels: ArrayLike<number | boolean>,
  scores: ArrayLike<number>,
  fmrs: readonly number[] = IJB_FMRS,
): { roc: RocCurve; tar: TarAtFmr[] } {
  const roc = rocCurve(labels, scores);
  return { roc, tar: tarAtFmr(roc, fmrs) };
}

/**
 * A ROC for plotting: about `points` FPR values log-spaced from the smallest non-zero FPR (or
 * `minFpr`, whichever is larger) to 1; for each, the last ROC point with fpr <= it (the curve's
 * highest TPR there). The first and last ROC points are always included; duplicates removed.
 */
export function thinRoc(roc: RocCurve, points = 300, minFpr = 1e-7): RocCurve {
  const L = roc.fpr.length;
  if (L <= points + 2) return { fpr: roc.fpr.slice(), tpr: roc.tpr.slice(), thresholds: roc.thresholds.slice() };
  let lowest = 1;
  for (let i = 0; i < L; i++) {
    if (roc.fpr[i] > 0) {
      lowest = roc.fpr[i];
      break;
    }
  }
  const lo = Math.log10(Math.max(lowest, minFpr));
  const keep: number[] = [0];
  let cursor = 0;
  for (let k = 0; k < points; k++) {
    const target = k === points - 1 ? 1 : 10 ** (lo + ((0 - lo) * k) / (points - 1));
    while (cursor + 1 < L && roc.fpr[cursor + 1] <= target) cursor++;
    if (cursor !== keep[keep.length - 1]) keep.push(cursor);
  }
  if (keep[keep.length - 1] !== L - 1) keep.push(L - 1);
  const pick = (a: Float64Array) => Float64Array.from(keep, (i) => a[i]);
  return { fpr: pick(roc.fpr), tpr: pick(roc.tpr), thresholds: pick(roc.thresholds) };
}
