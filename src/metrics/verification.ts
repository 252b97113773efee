// 10-fold verification exactly as insightface recognition/arcface_torch/eval/verification.py
// (calculate_roc, calculate_accuracy, calculate_val, calculate_val_far), on squared L2 distances.
// Counting is done with per-fold histograms over the threshold grid instead of 400/4000 passes
// over the pairs; counts are integers, so every ratio is the same double the reference computes.
import { fuseFlipped, interleavedPairDistances, l2NormalizeRows, type FloatArray } from "./embeddings";
import { interp1dSlinearLegacy } from "./interp-slinear";
import { kFoldTestRanges } from "./kfold";
import { npMean, npStd } from "./numpy-reduce";

export { fuseFlipped, interleavedPairDistances, l2NormalizeRows, squaredL2Distances, type FloatArray } from "./embeddings";

/** `np.arange(0, 4, step)`: numpy fills start + i*step, i.e. i*step here (checked against numpy). */
function arangeFrom0(count: number, step: number): Float64Array {
  const t = new Float64Array(count);
  for (let i = 0; i < count; i++) t[i] = i * step;
  return t;
}
/** Accuracy grid: np.arange(0, 4, 0.01), 400 thresholds. */
export const accuracyThresholds = (): Float64Array => arangeFrom0(400, 0.01);
/** VAL grid: np.arange(0, 4, 0.001), 4000 thresholds. */
export const valThresholds = (): Float64Array => arangeFrom0(4000, 0.001);

export interface RocFolds {
  /** Mean over folds of the test-fold TPR at each threshold (np.mean(tprs, 0)). */
  tpr: Float64Array;
  fpr: Float64Array;
  /** Test-fold accuracy at the threshold chosen on the other folds. */
  accuracy: Float64Array;
  bestThresholds: Float64Array;
  bestThresholdIndices: Int32Array;
}

export interface ValResult {
  farTarget: number;
  val: number;
  valStd: number;
  far: number;
  foldVal: number[];
  foldFar: number[];
  foldThresholds: number[];
}

export interface VerificationResult {
  pairs: number;
  folds: number;
  accuracy: number;
  accuracyStd: number;
  foldAccuracies: number[];
  bestThresholds: number[];
  roc: { thresholds: number[]; tpr: number[]; fpr: number[] };
  /** null when the reference would divide by zero (a fold or its complement lacks a class). */
  val: ValResult | null;
  valError?: string;
}

export interface VerificationOptions {
  folds?: number;
  farTarget?: number;
}

function toLabels(issame: ArrayLike<boolean | number>, n: number): Uint8Array {
  if (issame.length !== n) throw new Error(`verification: ${n} distances but ${issame.length} issame labels`);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = issame[i] ? 1 : 0;
  return out;
}

/** Index of the first threshold t with dist < t (thresholds ascending); thresholds.length if none. */
function firstAccepting(thresholds: Float64Array, dist: number): number {
  let lo = 0;
  let hi = thresholds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (dist < thresholds[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Per fold, the cumulative number of positive / negative pairs predicted "same" at each
 * threshold: acceptedPos[f * T + i] = #{positives of fold f with dist < thresholds[i]}.
 */
function foldCounts(thresholds: Float64Array, dist: ArrayLike<number>, labels: Uint8Array, ranges: Array<[number, number]>) {
  const T = thresholds.length;
  for (let i = 1; i < T; i++) {
    if (!(thresholds[i] > thresholds[i - 1])) throw new Error("verification: thresholds must be strictly ascending");
  }
  const F = ranges.length;
  const acceptedPos = new Int32Array(F * T);
  const acceptedNeg = new Int32Array(F * T);
  const pos = new Int32Array(F);
  const neg = new Int32Array(F);
  ranges.forEach(([start, end], f) => {
    const hist = f * T;
    for (let p = start; p < end; p++) {
      const k = firstAccepting(thresholds, dist[p]);
      if (labels[p]) {
        pos[f]++;
        if (k < T) acceptedPos[hist + k]++;
      } else {
        neg[f]++;
        if (k < T) acceptedNeg[hist + k]++;
      }
    }
    for (let i = 1; i < T; i++) {
      acceptedPos[hist + i] += acceptedPos[hist + i - 1];
      acceptedNeg[hist + i] += acceptedNeg[hist + i - 1];
    }
  });
  const sum = (a: Int32Array, f: number, i: number) => {
    let s = 0;
    for (let g = 0; g < F; g++) if (g !== f) s += a[g * T + i];
    return s;
  };
  return { T, F, acceptedPos, acceptedNeg, pos, neg, trainAcceptedPos: sum.bind(null, acceptedPos), trainAcceptedNeg: sum.bind(null, acceptedNeg) };
}

/** calculate_roc: best threshold per fold (first maximum of train accuracy), averaged test ROC. */
export function calculateRoc(
  thresholds: Float64Array,
  dist: ArrayLike<number>,
  issame: ArrayLike<boolean | number>,
  folds = 10,
): RocFolds {
  const labels = toLabels(issame, dist.length);
  const ranges = kFoldTestRanges(dist.length, folds);
  const c = foldCounts(thresholds, dist, labels, ranges);
  const { T, F } = c;
  const totalPos = c.pos.reduce((a, b) => a + b, 0);
  const totalNeg = c.neg.reduce((a, b) => a + b, 0);

  const tprSum = new Float64Array(T);
  const fprSum = new Float64Array(T);
  const accuracy = new Float64Array(F);
  const bestThresholds = new Float64Array(F);
  const bestThresholdIndices = new Int32Array(F);

  for (let f = 0; f < F; f++) {
    const trainPos = totalPos - c.pos[f];
    const trainNeg = totalNeg - c.neg[f];
    const trainSize = trainPos + trainNeg;
    // np.argmax(acc_train): first maximum.
    let best = 0;
    let bestAcc = -1;
    for (let i = 0; i < T; i++) {
      const tp = c.trainAcceptedPos(f, i);
      const tn = trainNeg - c.trainAcceptedNeg(f, i);
      const acc = (tp + tn) / trainSize;
      if (acc > bestAcc) {
        bestAcc = acc;
        best = i;
      }
    }
    const testSize = c.pos[f] + c.neg[f];
    for (let i = 0; i < T; i++) {
      const tp = c.acceptedPos[f * T + i];
      const fp = c.acceptedNeg[f * T + i];
      const tpr = c.pos[f] === 0 ? 0 : tp / c.pos[f];
      const fpr = c.neg[f] === 0 ? 0 : fp / c.neg[f];
      // np.mean(tprs, 0): the axis-0 reduction adds the fold rows one after another.
      tprSum[i] += tpr;
      fprSum[i] += fpr;
    }
    const tp = c.acceptedPos[f * T + best];
    const tn = c.neg[f] - c.acceptedNeg[f * T + best];
    accuracy[f] = (tp + tn) / testSize;
    bestThresholds[f] = thresholds[best];
    bestThresholdIndices[f] = best;
  }
  for (let i = 0; i < T; i++) {
    tprSum[i] /= F;
    fprSum[i] /= F;
  }
  return { tpr: tprSum, fpr: fprSum, accuracy, bestThresholds, bestThresholdIndices };
}

/**
 * calculate_val: per fold, the threshold where the training FAR reaches `farTarget` (linear
 * interpolation FAR -> threshold by interp1d(kind="slinear") as scipy <= 1.8 evaluated it on
 * repeated FAR values, see interp-slinear.ts: the last of a run of equal FARs wins, and a target
 * equal to a repeated maximum FAR gives threshold 0; 0 too if the FAR never gets there), then
 * VAL/FAR on the test fold. Throws where the reference divides by zero.
 */
export function calculateVal(
  thresholds: Float64Array,
  dist: ArrayLike<number>,
  issame: ArrayLike<boolean | number>,
  farTarget = 1e-3,
  folds = 10,
): ValResult {
  const labels = toLabels(issame, dist.length);
  const ranges = kFoldTestRanges(dist.length, folds);
  const c = foldCounts(thresholds, dist, labels, ranges);
  const { T } = c;
  const totalPos = c.pos.reduce((a, b) => a + b, 0);
  const totalNeg = c.neg.reduce((a, b) => a + b, 0);
  const foldVal: number[] = [];
  const foldFar: number[] = [];
  const foldThresholds: number[] = [];
  const farTrain = new Float64Array(T);

  ranges.forEach(([start, end], f) => {
    const trainPos = totalPos - c.pos[f];
    const trainNeg = totalNeg - c.neg[f];
    if (trainPos === 0 || trainNeg === 0 || c.pos[f] === 0 || c.neg[f] === 0) {
      throw new Error(
        `VAL undefined: fold ${f} has ${c.pos[f]} same / ${c.neg[f]} different pairs, its training folds ` +
          `${trainPos} / ${trainNeg} (the reference divides by zero)`,
      );
    }
    let maxFar = -Infinity;
    for (let i = 0; i < T; i++) {
      farTrain[i] = c.trainAcceptedNeg(f, i) / trainNeg;
      if (farTrain[i] > maxFar) maxFar = farTrain[i];
    }
    const threshold = maxFar >= farTarget ? interp1dSlinearLegacy(farTrain, thresholds, farTarget) : 0;
    let ta = 0;
    let fa = 0;
    for (let p = start; p < end; p++) {
      if (dist[p] < threshold) {
        if (labels[p]) ta++;
        else fa++;
      }
    }
    foldVal.push(ta / c.pos[f]);
    foldFar.push(fa / c.neg[f]);
    foldThresholds.push(threshold);
  });
  return { farTarget, val: npMean(foldVal), valStd: npStd(foldVal), far: npMean(foldFar), foldVal, foldFar, foldThresholds };
}

/**
 * insightface `evaluate` on precomputed distances (dist[i] = squared L2 of pair i), plus the
 * mean/std it prints: accuracy over the 0.01 grid, VAL@FAR over the 0.001 grid.
 */
export function evaluateVerification(
  dist: ArrayLike<number>,
  issame: ArrayLike<boolean | number>,
  options: VerificationOptions = {},
): VerificationResult {
  const folds = options.folds ?? 10;
  const thresholds = accuracyThresholds();
  const roc = calculateRoc(thresholds, dist, issame, folds);
  let val: ValResult | null = null;
  let valError: string | undefined;
  try {
    val = calculateVal(valThresholds(), dist, issame, options.farTarget ?? 1e-3, folds);
  } catch (e) {
    if (!(e instanceof Error) || !e.message.startsWith("VAL undefined")) throw e;
    valError = e.message;
  }
  const result: VerificationResult = {
    pairs: dist.length,
    folds,
    accuracy: npMean(roc.accuracy),
    accuracyStd: npStd(roc.accuracy),
    foldAccuracies: Array.from(roc.accuracy),
    bestThresholds: Array.from(roc.bestThresholds),
    roc: { thresholds: Array.from(thresholds), tpr: Array.from(roc.tpr), fpr: Array.from(roc.fpr) },
    val,
  };
  if (valError !== undefined) result.valError = valError;
  return result;
}

/**
 * insightface test() from raw embeddings of the 2N images (rows 2i and 2i+1 form pair i):
 * raw(original) + raw(flipped) when flipped embeddings are given, L2-normalised, squared L2
 * distance per pair, then evaluateVerification.
 */
export function evaluateVerificationEmbeddings(
  original: FloatArray,
  flipped: FloatArray | null,
  dim: number,
  issame: ArrayLike<boolean | number>,
  options: VerificationOptions = {},
): VerificationResult {
  const embeddings = flipped ? fuseFlipped(original, flipped, dim) : l2NormalizeRows(original, dim);
  return evaluateVerification(interleavedPairDistances(embeddings, dim, { normalize: false }), issame, options);
}
