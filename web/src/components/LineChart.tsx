// uPlot line charts: ROC curves (log-scale FMR axis, the paper's Figure 4) and
// training curves by step. Series with their own x values are aligned with uPlot.join.
import { useEffect, useRef } from "react";
import uPlot, { type AlignedData, type Options } from "uplot";
import "uplot/dist/uPlot.min.css";

export interface ChartSeries {
  label: string;
  x: number[];
  y: number[];
  /** Defaults to the palette colour of its position. */
  color?: string;
  dash?: number[];
  width?: number;
}

/** A filled band between two series (indices into `series`), e.g. mean ± std. */
export interface ChartBand {
  upper: number;
  lower: number;
  fill: string;
}

export const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];

const MAX_POINTS = 1500;

/** Keeps at most MAX_POINTS points, spread evenly over x (log-spaced for a log axis). */
function thin(x: number[], y: number[], log: boolean): [number[], number[]] {
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const xi = x[i]!;
    const yi = y[i]!;
    if (!Number.isFinite(xi) || !Number.isFinite(yi) || (log && xi <= 0)) continue;
    pairs.push([xi, yi]);
  }
  pairs.sort((a, b) => a[0] - b[0]);
  // uPlot.join needs unique x per series: keep the highest y for repeated x (a ROC step).
  const unique: Array<[number, number]> = [];
  for (const p of pairs) {
    const last = unique[unique.length - 1];
    if (last && last[0] === p[0]) last[1] = Math.max(last[1], p[1]);
    else unique.push([p[0], p[1]]);
  }
  if (unique.length <= MAX_POINTS) return [unique.map((p) => p[0]), unique.map((p) => p[1])];
  const pos = (v: number) => (log ? Math.log10(v) : v);
  const lo = pos(unique[0]![0]);
  const hi = pos(unique[unique.length - 1]![0]);
  const kept: Array<[number, number]> = [];
  let nextAt = lo;
  const stepSize = (hi - lo) / MAX_POINTS;
  for (let i = 0; i < unique.length; i++) {
    const p = unique[i]!;
    if (pos(p[0]) >= nextAt || i === unique.length - 1) {
      kept.push(p);
      nextAt = pos(p[0]) + stepSize;
    }
  }
  return [kept.map((p) => p[0]), kept.map((p) => p[1])];
}

export interface LineChartProps {
  title: string;
  series: ChartSeries[];
  xLabel: string;
  yLabel: string;
  logX?: boolean;
  yRange?: [number, number];
  height?: number;
  /** Describes the chart for screen readers (the data is also in a table nearby). */
  summary?: string;
  bands?: ChartBand[];
}

export function LineChart({ title, series, xLabel, yLabel, logX = false, yRange, height = 300, summary, bands }: LineChartProps) {
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = container.current;
    if (!element || !series.length) return;
    const tables = series.map((s) => thin(s.x, s.y, logX));
    const data = (tables.length === 1 ? [tables[0]![0], tables[0]![1]] : uPlot.join(tables as unknown as AlignedData[])) as AlignedData;
    const width = Math.max(320, element.clientWidth);
    const xs = tables.flatMap((t) => t[0]);
    const sparse = tables.some((t) => t[0].length < 25);
    // A log axis spans whole decades around the data (uPlot's own guess is wide for one point).
    let xRange: [number, number] | undefined;
    if (logX && xs.length) {
      const lo = 10 ** Math.floor(Math.log10(Math.min(...xs)));
      const hi = 10 ** Math.ceil(Math.log10(Math.max(...xs)));
      xRange = [lo, hi > lo ? hi : lo * 10];
    }
    const options: Options = {
      title,
      width,
      height,
      scales: {
        x: logX ? { time: false, distr: 3, log: 10, ...(xRange ? { range: xRange } : {}) } : { time: false },
        y: yRange ? { range: yRange } : {},
      },
      axes: [
        { label: xLabel, values: logX ? (_u, splits) => splits.map((v) => (v == null ? "" : `1e${Math.round(Math.log10(v))}`)) : undefined },
        { label: yLabel, size: 60 },
      ],
      series: [
        { label: xLabel, value: (_u, v) => (v == null ? "—" : logX ? v.toExponential(2) : String(v)) },
        ...series.map((s, i) => ({
          label: s.label,
          stroke: s.color ?? PALETTE[i % PALETTE.length],
          width: s.width ?? 2,
          ...(s.dash ? { dash: s.dash } : {}),
          spanGaps: true,
          points: { show: sparse, size: 6 },
          value: (_u: uPlot, v: number | null) => (v == null ? "—" : v.toFixed(4)),
        })),
      ],
      ...(bands?.length ? { bands: bands.map((b) => ({ series: [b.upper + 1, b.lower + 1] as [number, number], fill: b.fill })) } : {}),
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
    };
    const plot = new uPlot(options, data, element);
    const observer = new ResizeObserver(() => {
      const w = Math.max(320, element.clientWidth);
      if (Math.abs(w - plot.width) > 2) plot.setSize({ width: w, height });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [title, series, xLabel, yLabel, logX, yRange, height, bands]);

  return (
    <figure className="chart" data-series={series.map((s) => s.label).join("|")} data-bands={bands?.length ?? 0}>
      <div ref={container} className="chart-canvas" role="img" aria-label={summary ?? `${title}: ${yLabel} against ${xLabel}`} />
    </figure>
  );
}
