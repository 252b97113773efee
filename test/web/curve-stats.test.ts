// The training-curve statistics the run page draws: series by metric and step, and the
// mean ± std band across a group's seeds (population std, at steps two or more runs logged).
import { describe, expect, it } from "vitest";
import { meanStdByStep, seriesByKey } from "../../web/src/curve-stats";

describe("training-curve statistics", () => {
  it("keys series by metric and benchmark, sorted by step, the last point of a step winning", () => {
    const series = seriesByKey([
      { name: "loss", value: 0.5, step: 2, benchmark: null },
      { name: "loss", value: 0.9, step: 1, benchmark: null },
      { name: "loss", value: 0.4, step: 2, benchmark: null },
      { name: "accuracy", value: 0.7, step: 1, benchmark: { name: "LFW" } },
    ]);
    expect(series.get("loss")).toEqual({ x: [1, 2], y: [0.9, 0.4] });
    expect(series.get("accuracy (LFW)")).toEqual({ x: [1], y: [0.7] });
  });

  it("gives mean ± population std where at least two runs have the step", () => {
    const band = meanStdByStep([
      { x: [1, 2, 3], y: [1.0, 0.6, 0.5] },
      { x: [1, 2], y: [1.002, 0.7] },
      { x: [2], y: [0.8] },
    ])!;
    expect(band.x).toEqual([1, 2]);
    expect(band.mean[0]).toBeCloseTo(1.001, 12);
    expect(band.upper[0]! - band.mean[0]!).toBeCloseTo(0.001, 12);
    expect(band.mean[1]).toBeCloseTo(0.7, 12);
    expect(band.upper[1]! - band.mean[1]!).toBeCloseTo(Math.sqrt(0.02 / 3), 12);
    expect(band.lower[1]! + band.upper[1]!).toBeCloseTo(2 * band.mean[1]!, 12);
    expect(band.runs).toBe(3);
    expect(meanStdByStep([{ x: [1], y: [1] }])).toBeNull();
  });
});
