// Parallel coordinates in plain SVG: one vertical axis per chosen config key or metric,
// one polyline per run, coloured by the last axis (the metric). Numeric axes are linear
// between their min and max; other values (strings, booleans) are spread as categories.
// Our own ~100 lines instead of a library: uPlot has no parallel coordinates, and the
// libraries that do (plotly, d3-based parcoords) add hundreds of KiB for one chart.
export interface ParallelAxis {
  id: string;
  label: string;
}

export interface ParallelRow {
  id: string;
  label: string;
  values: unknown[];
}

const WIDTH = 900;
const HEIGHT = 360;
const PAD = { top: 36, bottom: 24, left: 60, right: 60 };

type Scale = { position: (v: unknown) => number | null; ticks: { y: number; text: string }[] };

function scaleOf(values: unknown[]): Scale {
  const top = PAD.top;
  const bottom = HEIGHT - PAD.bottom;
  const present = values.filter((v) => v != null);
  if (present.length && present.every((v) => typeof v === "number")) {
    const nums = present as number[];
    const min = Math.min(...nums);
    const max = Math.max(...nums);
    const y = (v: number) => (max === min ? (top + bottom) / 2 : bottom - ((v - min) / (max - min)) * (bottom - top));
    const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(3));
    return { position: (v) => (typeof v === "number" ? y(v) : null), ticks: [...new Set([min, max])].map((v) => ({ y: y(v), text: fmt(v) })) };
  }
  const categories = [...new Set(present.map((v) => (typeof v === "string" ? v : JSON.stringify(v))))].sort();
  const y = (i: number) => (categories.length === 1 ? (top + bottom) / 2 : bottom - (i / (categories.length - 1)) * (bottom - top));
  return {
    position: (v) => {
      if (v == null) return null;
      const i = categories.indexOf(typeof v === "string" ? v : JSON.stringify(v));
      return i < 0 ? null : y(i);
    },
    ticks: categories.map((text, i) => ({ y: y(i), text })),
  };
}

/** Blue (low) to orange (high) by a 0..1 fraction. */
function colour(fraction: number | null): string {
  if (fraction == null) return "#9aa5b1";
  const hue = 220 - 190 * fraction;
  return `hsl(${hue.toFixed(0)} 70% 45%)`;
}

export function ParallelCoordinates({ axes, rows, title }: { axes: ParallelAxis[]; rows: ParallelRow[]; title: string }) {
  const scales = axes.map((_, i) => scaleOf(rows.map((r) => r.values[i])));
  const x = (i: number) => (axes.length === 1 ? WIDTH / 2 : PAD.left + (i / (axes.length - 1)) * (WIDTH - PAD.left - PAD.right));
  const last = axes.length - 1;
  const lastNums = rows.map((r) => r.values[last]).filter((v): v is number => typeof v === "number");
  const [cMin, cMax] = [Math.min(...lastNums), Math.max(...lastNums)];
  const fractionOf = (v: unknown) => (typeof v === "number" ? (cMax === cMin ? 0.5 : (v - cMin) / (cMax - cMin)) : null);
  return (
    <svg className="parallel-coordinates" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title}>
      <title>{title}</title>
      {rows.map((row) => {
        // A run missing an axis value breaks its line there rather than inventing a value.
        const segments: string[] = [];
        let current = "";
        row.values.forEach((v, i) => {
          const y = scales[i]!.position(v);
          if (y == null) {
            if (current) segments.push(current);
            current = "";
          } else current += `${current ? "L" : "M"}${x(i).toFixed(1)},${y.toFixed(1)}`;
        });
        if (current) segments.push(current);
        return (
          <path key={row.id} data-run-id={row.id} d={segments.join(" ")} fill="none" stroke={colour(fractionOf(row.values[last]))} strokeOpacity={0.7} strokeWidth={1.5}>
            <title>{row.label}</title>
          </path>
        );
      })}
      {axes.map((axis, i) => (
        <g key={axis.id} className="pc-axis" data-axis={axis.id}>
          <line x1={x(i)} x2={x(i)} y1={PAD.top} y2={HEIGHT - PAD.bottom} stroke="#333" />
          <text x={x(i)} y={PAD.top - 14} textAnchor="middle" className="pc-axis-label">{axis.label}</text>
          {scales[i]!.ticks.map((t) => (
            <text key={t.text} x={x(i) + 5} y={t.y + 4} className="pc-tick">{t.text}</text>
          ))}
        </g>
      ))}
    </svg>
  );
}
