import { describe, expect, it } from "vitest";
import { rocAuc, rocCurve } from "../../src/metrics/roc";
import { IJB_FMRS, ijbTarAtFmr, tarAtFmr, thinRoc } from "../../src/metrics/ijbc";
import { expectExact, expectExactNumber, loadGolden, mulberry32, nums, sha256Float64 } from "./golden";

const golden = loadGolden("roc.json");

describe("roc_curve = scikit-learn roc_curve(drop_intermediate=True) (golden)", () => {
  it("the PROTOCOLS.md tie example", () => {
    const roc = rocCurve([1, 1, 1, 0, 0, 0, 1, 0], [0.9, 0.8, 0.4, 0.7, 0.3, 0.2, 0.8, 0.8]);
    expect(Array.from(roc.fpr)).toEqual([0, 0, 0.25, 0.5, 0.5, 1]);
    expect(Array.from(roc.tpr)).toEqual([0, 0.25, 0.75, 0.75, 1, 1]);
    expect(Array.from(roc.thresholds)).toEqual([Infinity, 0.9, 0.8, 0.7, 0.4, 0.2]);
  });

  for (const c of golden.cases) {
    it(`${c.name} (${c.labels.length} scores, ${c.dtype})`, () => {
      const scores = c.dtype === "float32" ? Float32Array.from(nums(c.scores)) : Float64Array.from(nums(c.scores));
      const roc = rocCurve(c.labels, scores);
      expectExact(roc.fpr, c.expected.fpr, "fpr");
      expectExact(roc.tpr, c.expected.tpr, "tpr");
      expectExact(roc.thresholds, c.expected.thresholds, "thresholds");
      if (c.expected.tar) {
        const tar = tarAtFmr(roc);
        expectExact(tar.map((t) => t.tar), c.expected.tar, "TAR@FMR");
        expect(tar.map((t) => t.index)).toEqual(c.expected.tarIndex);
        expectExactNumber(rocAuc(roc.fpr, roc.tpr), c.expected.auc, "auc");
      }
    });
  }

  it("1,000,000 generated scores with ties: whole arrays by hash, TAR@FMR, AUC", () => {
    const L = golden.large;
    const next = mulberry32(L.seed);
    const labels = new Uint8Array(L.n);
    const scores = new Float64Array(L.n);
    for (let i = 0; i < L.n; i++) {
      const a = next();
      const b = next();
      labels[i] = a % 800 === 0 ? 1 : 0;
      scores[i] = labels[i] ? 0.25 + ((b >>> 8) / 2 ** 24) * 0.75 : ((b >>> 16) / 2 ** 16) * 0.5 - 0.1;
    }
    expect(labels.reduce((s, v) => s + v, 0)).toBe(L.genuine);
    const { roc, tar } = ijbTarAtFmr(labels, scores);
    expect(roc.fpr.length).toBe(L.expected.length);
    expectExact(roc.fpr.subarray(0, 50), L.expected.head.fpr, "fpr head");
    expectExact(roc.tpr.subarray(0, 50), L.expected.head.tpr, "tpr head");
    expectExact(roc.thresholds.subarray(0, 50), L.expected.head.thresholds, "thresholds head");
    expect(sha256Float64(roc.fpr)).toBe(L.expected.fprSha256);
    expect(sha256Float64(roc.tpr)).toBe(L.expected.tprSha256);
    expect(sha256Float64(roc.thresholds)).toBe(L.expected.thresholdsSha256);
    expectExact(tar.map((t) => t.tar), L.expected.tar, "TAR@FMR");
    expect(tar.map((t) => t.index)).toEqual(L.expected.tarIndex);
    expectExactNumber(rocAuc(roc.fpr, roc.tpr), L.expected.auc, "auc");

    const thin = thinRoc(roc, 300);
    expect(thin.fpr.length).toBeGreaterThan(100);
    expect(thin.fpr.length).toBeLessThanOrEqual(302);
    expect(thin.fpr[0]).toBe(0);
    expect(thin.fpr[thin.fpr.length - 1]).toBe(1);
    // every thinned point is a point of the ROC, in order
    let j = 0;
    for (let i = 0; i < thin.fpr.length; i++) {
      while (j < roc.fpr.length && !(roc.fpr[j] === thin.fpr[i] && roc.tpr[j] === thin.tpr[i])) j++;
      expect(j, `thinned point ${i} not on the ROC`).toBeLessThan(roc.fpr.length);
    }
    // log-spaced: the FPR decades from 1e-4 to 1 are all represented
    for (let e = -4; e < 0; e++) {
      expect(thin.fpr.some((f) => f >= 10 ** e && f < 10 ** (e + 1))).toBe(true);
    }
  });

  it("labels/scores are validated", () => {
    expect(() => rocCurve([0, 1], [0.1])).toThrow(/2 labels but 1 scores/);
    expect(() => rocCurve([0, 2], [0.1, 0.2])).toThrow(/label 2 at index 1/);
    expect(() => rocCurve([0, 1], [0.1, NaN])).toThrow(/score at index 1 is NaN/);
  });

  it("the readout targets are eval_ijbc's x_labels", () => {
    expect(IJB_FMRS).toEqual(golden.xLabels);
  });
});

// 15.7M scores (IJB-C size): run with METRICS_LARGE=1. Each kept point is checked against counts
// made directly from the arrays (an independent computation).
describe.skipIf(process.env.METRICS_LARGE !== "1")("roc_curve at IJB-C scale (METRICS_LARGE=1)", () => {
  it("15,658,489 scores, 19,557 genuine", () => {
    const n = 15_658_489;
    const genuine = 19_557;
    const next = mulberry32(2024);
    const labels = new Uint8Array(n);
    const scores = new Float64Array(n);
    for (let i = 0; i < genuine; i++) labels[(next() % n)] = 1;
    let positives = 0;
    for (let i = 0; i < n; i++) {
      positives += labels[i];
      const u = next() / 2 ** 32;
      // impostors around 0.0 (some ties from rounding to 2^-20), genuines higher
      scores[i] = labels[i] ? 0.2 + 0.8 * u : Math.round((u * u - 0.3) * 2 ** 20) / 2 ** 20;
    }
    const { roc, tar } = ijbTarAtFmr(labels, scores);
    const negatives = n - positives;
    expect(roc.fpr[roc.fpr.length - 1]).toBe(1);
    expect(roc.tpr[roc.tpr.length - 1]).toBe(1);
    for (let i = 1; i < roc.fpr.length; i++) {
      expect(roc.fpr[i] >= roc.fpr[i - 1] && roc.tpr[i] >= roc.tpr[i - 1]).toBe(true);
    }
    const check = new Set<number>(tar.map((t) => t.index));
    for (let k = 1; k < 40; k++) check.add(Math.floor((k * (roc.fpr.length - 1)) / 40));
    for (const i of check) {
      if (i === 0) continue;
      const t = roc.thresholds[i];
      let tp = 0;
      let fp = 0;
      for (let p = 0; p < n; p++) {
        if (scores[p] >= t) {
          if (labels[p]) tp++;
          else fp++;
        }
      }
      expect(roc.tpr[i]).toBe(tp / positives);
      expect(roc.fpr[i]).toBe(fp / negatives);
    }
  });
});
