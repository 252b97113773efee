// scikit-learn `roc_curve(y_true, y_score)` (drop_intermediate=True) and `auc`, exactly.
// sklearn sorts descending (np.argsort(kind="mergesort")[::-1]), keeps the last index of each
// run of equal scores, and takes cumulative counts there; so the result depends only on the
// distinct score values and how many positives/negatives share each, not on the order inside a
// tie. We therefore sort positives and negatives separately and merge them from the top.
// Speed: 15,658,489 float64 scores (19,557 genuine), roc_curve + TAR@FMR readout: 1.3-2.2 s
// CPU here (a shared 2-core machine under load), against 6.4-7.1 s for scikit-learn 1.2.1 on the
// same scores in the same window, identical results. Extra memory: one float64 copy of the
// negatives plus small buffers (+ a Uint8Array of labels unless one is passed in).
import { pairwiseSum } from "./numpy-reduce";
import { sortedByLabel, sortFloat64 } from "./sort-scores";

export interface RocCurve {
  fpr: Float64Array;
  tpr: Float64Array;
  /** Score threshold of each point; thresholds[0] = +Infinity (sklearn >= 1.3). */
  thresholds: Float64Array;
}

class Growable {
  data: Float64Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Float64Array(capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

export interface RocOptions {
  dropIntermediate?: boolean;
}

export function rocCurve(
  yTrue: ArrayLike<number | boolean>,
  yScore: ArrayLike<number>,
  options: RocOptions = {},
): RocCurve {
  const n = yScore.length;
  if (yTrue.length !== n) throw new Error(`roc_curve: ${yTrue.length} labels but ${n} scores`);
  if (n === 0) throw new Error("roc_curve: no scores");
  // One validation pass that also gathers what the sort needs: the positives (few), and the
  // count / range of the negatives. A Uint8Array of 0/1 labels is used as it is.
  const labels = yTrue instanceof Uint8Array ? yTrue : new Uint8Array(n);
  const pos = new Growable(1024);
  let negMin = Infinity;
  let negMax = -Infinity;
  for (let i = 0; i < n; i++) {
    const y = yTrue[i];
    const s = yScore[i];
    if (!Number.isFinite(s)) throw new Error(`roc_curve: score at index ${i} is ${s} (must be finite)`);
    if (y === 1 || y === true) {
      if (labels !== yTrue) labels[i] = 1;
      pos.push(s);
    } else if (y === 0 || y === false) {
      if (s < negMin) negMin = s;
      if (s > negMax) negMax = s;
    } else {
      throw new Error(`roc_curve: label ${String(y)} at index ${i} is not 0/1 or a boolean`);
    }
  }
  const positives = pos.length;
  const posSorted = sortFloat64(pos.view().slice());
  const neg = sortedByLabel(yScore, labels, 0, n - positives, negMin, negMax);

  const drop = options.dropIntermediate ?? true;
  const fps = new Growable();
  const tps = new Growable();
  const thr = new Growable();
  // Points are decided one step late: a middle point is kept when its second differences are
  // non-zero (np.diff(fps, 2) or np.diff(tps, 2)); the first and the last are always kept.
  let count = 0;
  let f1 = 0, t1 = 0; // previous point
  let f2 = 0, t2 = 0, v2 = 0; // current (undecided) point
  const emit = (f: number, t: number, v: number) => {
    fps.push(f);
    tps.push(t);
    thr.push(v);
  };
  const onBlock = (f: number, t: number, v: number) => {
    if (count >= 2) {
      const keep = !drop || f - f2 - (f2 - f1) !== 0 || t - t2 - (t2 - t1) !== 0;
      if (keep) emit(f2, t2, v2);
    } else if (count === 1) {
      emit(f2, t2, v2); // index 0
    }
    f1 = f2; t1 = t2;
    f2 = f; t2 = t; v2 = v;
    count++;
  };

  let ip = posSorted.length - 1;
  let inn = neg.length - 1;
  let tp = 0;
  let fp = 0;
  while (ip >= 0 || inn >= 0) {
    const v = ip < 0 ? neg[inn] : inn < 0 ? posSorted[ip] : Math.max(posSorted[ip], neg[inn]);
    while (ip >= 0 && posSorted[ip] === v) { tp++; ip--; }
    while (inn >= 0 && neg[inn] === v) { fp++; inn--; }
    onBlock(fp, tp, v);
  }
  emit(f2, t2, v2); // the last point (count >= 1 since n > 0)

  const m = fps.length + 1;
  const fpr = new Float64Array(m);
  const tpr = new Float64Array(m);
  const thresholds = new Float64Array(m);
  thresholds[0] = Infinity;
  const F = fps.view(), Tp = tps.view(), V = thr.view();
  const fLast = F[F.length - 1];
  const tLast = Tp[Tp.length - 1];
  for (let i = 0; i < F.length; i++) {
    fpr[i + 1] = fLast > 0 ? F[i] / fLast : NaN; // sklearn warns and returns NaN without negatives
    tpr[i + 1] = tLast > 0 ? Tp[i] / tLast : NaN;
    thresholds[i + 1] = V[i];
  }
  if (!(fLast > 0)) fpr[0] = NaN;
  if (!(tLast > 0)) tpr[0] = NaN;
  return { fpr, tpr, thresholds };
}

/** sklearn.metrics.auc(fpr, tpr): trapezoidal rule as np.trapz computes it. */
export function rocAuc(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n < 2) throw new Error(`auc: at least 2 points are needed, got ${n}`);
  let increasing = true;
  let decreasing = true;
  for (let i = 1; i < n; i++) {
    if (x[i] < x[i - 1]) increasing = false;
    if (x[i] > x[i - 1]) decreasing = false;
  }
  if (!increasing && !decreasing) throw new Error("auc: x is neither increasing nor decreasing");
  const terms = new Float64Array(n - 1);
  for (let i = 0; i < n - 1; i++) terms[i] = ((x[i + 1] - x[i]) * (y[i + 1] + y[i])) / 2.0;
  const area = pairwiseSum(terms);
  return increasing ? area : -1 * area;
}
