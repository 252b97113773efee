// Training curves from logged metric points: one series per run and metric (by step), and
// the mean ± std across a group's runs (its seeds) at each step where two or more runs
// logged a value. Std is the population std, as the leaderboard's default.
export interface MetricPoint {
  name: string;
  value: number;
  step: number;
  benchmark: { name: string } | null;
}

export interface StepSeries {
  x: number[];
  y: number[];
}

export const curveKey = (m: MetricPoint) => (m.benchmark ? `${m.name} (${m.benchmark.name})` : m.name);

/** Series per metric key, sorted by step (the last point logged wins for a repeated step). */
export function seriesByKey(metrics: readonly MetricPoint[]): Map<string, StepSeries> {
  const byKey = new Map<string, Map<number, number>>();
  for (const m of metrics) {
    const steps = byKey.get(curveKey(m)) ?? new Map<number, number>();
    steps.set(m.step, m.value);
    byKey.set(curveKey(m), steps);
  }
  const out = new Map<string, StepSeries>();
  for (const [key, steps] of byKey) {
    const x = [...steps.keys()].sort((a, b) => a - b);
    out.set(key, { x, y: x.map((s) => steps.get(s)!) });
  }
  return out;
}

export interface MeanStd {
  x: number[];
  mean: number[];
  lower: number[];
  upper: number[];
  /** The most runs that contributed at any step. */
  runs: number;
}

/** Mean ± std by step over several runs' series; null when no step has two runs. */
export function meanStdByStep(series: readonly StepSeries[]): MeanStd | null {
  const byStep = new Map<number, number[]>();
  for (const s of series) s.x.forEach((step, i) => byStep.set(step, [...(byStep.get(step) ?? []), s.y[i]!]));
  const steps = [...byStep.entries()].filter(([, values]) => values.length >= 2).sort((a, b) => a[0] - b[0]);
  if (!steps.length) return null;
  const result: MeanStd = { x: [], mean: [], lower: [], upper: [], runs: 0 };
  for (const [step, values] of steps) {
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
    result.x.push(step);
    result.mean.push(mean);
    result.lower.push(mean - std);
    result.upper.push(mean + std);
    result.runs = Math.max(result.runs, values.length);
  }
  return result;
}
