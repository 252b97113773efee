import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  accuracyThresholds,
  evaluateVerification,
  evaluateVerificationEmbeddings,
  fuseFlipped,
  interleavedPairDistances,
  l2NormalizeRows,
  valThresholds,
} from "../../src/metrics/verification";
import { kFoldTestRanges } from "../../src/metrics/kfold";
import { interp1dSlinearLegacy } from "../../src/metrics/interp-slinear";
import { readNpy } from "../../src/metrics/npy";
import { expectExact, expectExactNumber, GOLDEN, loadGolden, nums } from "./golden";

const files = ["verification-small.json", "verification-6000.json", "verification-6003.json", "verification-far-0.01.json"];

describe("10-fold verification = insightface calculate_roc / calculate_val (golden)", () => {
  for (const file of files) {
    for (const c of loadGolden(file).cases) {
      it(`${file}: ${c.name} (${c.dist.length} pairs)`, () => {
        const r = evaluateVerification(nums(c.dist), c.issame, { farTarget: c.farTarget });
        const e = c.expected;
        expect(r.pairs).toBe(c.dist.length);
        expectExact(r.foldAccuracies, e.foldAccuracies, "fold accuracies");
        expectExactNumber(r.accuracy, e.accuracy, "accuracy mean");
        expectExactNumber(r.accuracyStd, e.accuracyStd, "accuracy std");
        expectExact(r.bestThresholds, e.bestThresholds, "best thresholds");
        expectExact(r.roc.tpr, e.tpr, "mean tpr");
        expectExact(r.roc.fpr, e.fpr, "mean fpr");
        if (e.val === null) {
          expect(r.val).toBeNull();
          expect(r.valError).toMatch(/VAL undefined: fold \d+ has/);
        } else {
          expect(r.val).not.toBeNull();
          expectExactNumber(r.val!.val, e.val.val, "val");
          expectExactNumber(r.val!.valStd, e.val.valStd, "val std");
          expectExactNumber(r.val!.far, e.val.far, "far");
          expectExact(r.val!.foldVal, e.val.foldVal, "fold val");
          expectExact(r.val!.foldFar, e.val.foldFar, "fold far");
          expectExact(r.val!.foldThresholds, e.val.foldThresholds, "fold VAL thresholds");
        }
      });
    }
  }

  it("the tie case picks the first of two maxima (0.31, not 0.61)", () => {
    const c = loadGolden("verification-small.json").cases.find((x: { name: string }) => x.name === "two-thresholds-tie");
    const r = evaluateVerification(nums(c.dist), c.issame);
    expect(r.bestThresholds).toEqual(Array(10).fill(31 * 0.01));
    expect(r.accuracy).toBe(0.75);
  });

  it("the legacy interpolation quirks appear in the golden cases", () => {
    const small = loadGolden("verification-small.json").cases;
    const atMax = small.find((x: { name: string }) => x.name === "val-target-equals-max-far");
    expect(new Set(nums(atMax.expected.val.foldThresholds))).toEqual(new Set([0]));
    const never = small.find((x: { name: string }) => x.name === "val-never-reached");
    expect(new Set(nums(never.expected.val.foldThresholds))).toEqual(new Set([0]));
    const knot = small.find((x: { name: string }) => x.name === "val-target-on-knot");
    expect(nums(knot.expected.val.foldThresholds).every((t) => t > 0.95 && t <= 1.5)).toBe(true);
  });
});

describe("threshold grids and folds", () => {
  it("grids are i*0.01 (400) and i*0.001 (4000)", () => {
    const a = accuracyThresholds();
    const v = valThresholds();
    expect(a.length).toBe(400);
    expect(v.length).toBe(4000);
    expect(a[399]).toBe(3.99);
    expect(a[3]).toBe(0.03);
    // i*0.01 is not always the decimal literal (e.g. 0.07 * 1 vs 7 * 0.01): the grid is i*0.01.
    const differ = Array.from(a).filter((t, i) => t !== Number((i / 100).toFixed(2)));
    expect(differ.length).toBeGreaterThan(0);
    expect(a[7]).toBe(7 * 0.01);
    expect(v[3999]).toBe(3999 * 0.001);
  });

  it("KFold(10, shuffle=False) splits: first n % 10 folds get one more", () => {
    expect(kFoldTestRanges(6003, 10).slice(0, 4)).toEqual([[0, 601], [601, 1202], [1202, 1803], [1803, 2403]]);
    expect(kFoldTestRanges(17, 10).map(([s, e]) => e - s)).toEqual([2, 2, 2, 2, 2, 2, 2, 1, 1, 1]);
    expect(kFoldTestRanges(6000, 10).at(-1)).toEqual([5400, 6000]);
    expect(() => kFoldTestRanges(9, 10)).toThrow(/cannot split 9 pairs into 10 folds/);
  });

  it("legacy slinear: plain interpolation, repeated knots, repeated maximum", () => {
    expect(interp1dSlinearLegacy([0, 1, 2], [0, 10, 30], 1.5)).toBe(20);
    // x = 0.5 sits on a run of repeated knots: the last interval starting at 0.5 is used.
    expect(interp1dSlinearLegacy([0, 0.5, 0.5, 0.5, 1], [0, 1, 2, 3, 4], 0.5)).toBe(3);
    // x equal to a repeated maximum: zero-length last interval, value 0.
    expect(interp1dSlinearLegacy([0, 0.5, 1, 1], [0, 1, 2, 3], 1)).toBe(0);
    expect(interp1dSlinearLegacy([0, 0.5, 1], [0, 1, 2], 1)).toBe(2);
    expect(() => interp1dSlinearLegacy([0, 1], [0, 1], 2)).toThrow(/above the interpolation range/);
  });

  it("rejects mismatched inputs", () => {
    expect(() => evaluateVerification([0.1, 0.2], [true])).toThrow(/2 distances but 1 issame/);
  });
});

describe("embedding distances = insightface test()/evaluate() on float64 embeddings (golden)", () => {
  const golden = loadGolden("verification-small.json");
  for (const dim of [64, 13]) {
    it(`flip fusion, sklearn normalize and squared L2 (dim ${dim})`, () => {
      const original = readNpy(path.join(GOLDEN, "npy", `emb${dim}-original.npy`));
      const flipped = readNpy(path.join(GOLDEN, "npy", `emb${dim}-flipped.npy`));
      expect(original.shape).toEqual([2 * golden.embeddings[dim].pairs, dim]);
      const fused = fuseFlipped(original.data, flipped.data, dim);
      const dist = interleavedPairDistances(fused, dim, { normalize: false });
      expectExact(dist, golden.embeddings[dim].distances, "distances");
      if (dim === 64) {
        const c = golden.cases.find((x: { name: string }) => x.name === "from-embeddings-64");
        const r = evaluateVerificationEmbeddings(original.data, flipped.data, dim, c.issame);
        expectExact(r.foldAccuracies, c.expected.foldAccuracies, "fold accuracies from embeddings");
        expectExact(r.roc.tpr, c.expected.tpr, "tpr from embeddings");
      }
    });
  }

  it("sklearn.preprocessing.normalize row norms (numpy's einsum order) on many lengths", () => {
    for (const c of loadGolden("normalize.json").cases) {
      expectExact(l2NormalizeRows(Float64Array.from(nums(c.x)), c.dim), c.normalized, `normalize dim ${c.dim}`);
    }
  });
});
