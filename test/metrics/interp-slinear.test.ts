// VAL@FAR's interpolation: interp1dSlinearLegacy against scipy <= 1.8's interp1d(kind="slinear")
// as rebuilt in scripts/golden/make-metrics-golden.py (the BSpline it constructed without the
// duplicate check, evaluated by Debian's scipy 1.10), on FAR curves full of repeated values.
import { describe, expect, it } from "vitest";
import { interp1dSlinearLegacy } from "../../src/metrics/interp-slinear";
import { expectExact, loadGolden, nums } from "./golden";

const golden = loadGolden("interp-slinear.json");

function inputs(c: any): { x: number[]; y: number[] } {
  if (c.xCounts) {
    return { x: c.xCounts.map((n: number) => n / c.xDenominator), y: c.xCounts.map((_: number, i: number) => i * c.yStep) };
  }
  return { x: nums(c.x), y: nums(c.y) };
}

describe("interp1d(kind='slinear') as scipy <= 1.8 evaluated it (golden)", () => {
  for (const c of golden.cases) {
    it(`${c.name}${c.note ? ` (${c.note})` : ""}`, () => {
      const { x, y } = inputs(c);
      const got = nums(c.xNew).map((v) => interp1dSlinearLegacy(x, y, v));
      expectExact(got, c.expected, c.name);
    });
  }

  it("the golden holds the quirks: zero at a repeated maximum, the last of a run of repeated knots", () => {
    const max = golden.cases.find((c: any) => c.name === "repeated-maximum");
    expect(max.expected[3]).toBe(0);
    const far = golden.cases.filter((c: any) => c.xCounts);
    expect(far.length).toBe(3);
    for (const c of far) expect(new Set(c.xCounts).size).toBeLessThan(c.xCounts.length / 2); // mostly repeats
  });
});
