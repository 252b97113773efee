// Controls of the runs table: choosing metric and config columns, filtering by config
// keys and metric thresholds, and the parallel-coordinates view over config keys and a
// metric. Everything chosen lives in the URL (see runs-table-state.ts).
import { useState, type FormEvent } from "react";
import { useQuery } from "../hooks";
import {
  AGGREGATES, columnId, columnLabel, columnSelection, parseColumn, type Aggregate, type Column, type MetricThreshold,
} from "../runs-table-state";
import { ParallelCoordinates } from "./ParallelCoordinates";
import { ErrorMessage, Loading } from "./States";

type MetricColumn = Extract<Column, { type: "metric" }>;

/** Name, benchmark and aggregate inputs for one metric. */
function MetricInputs({ prefix, value, onChange }: { prefix: string; value: { name: string; benchmark: string; aggregate: Aggregate }; onChange: (v: { name: string; benchmark: string; aggregate: Aggregate }) => void }) {
  return (
    <>
      <label>
        {prefix} metric <input value={value.name} placeholder="accuracy" onChange={(e) => onChange({ ...value, name: e.target.value })} />
      </label>
      <label>
        {prefix} benchmark <input value={value.benchmark} placeholder="none (own metric)" onChange={(e) => onChange({ ...value, benchmark: e.target.value })} />
      </label>
      <label>
        {prefix} aggregate{" "}
        <select value={value.aggregate} onChange={(e) => onChange({ ...value, aggregate: e.target.value as Aggregate })}>
          {AGGREGATES.map((a) => <option key={a} value={a}>{a.toLowerCase()}</option>)}
        </select>
      </label>
    </>
  );
}

const metricOf = (v: { name: string; benchmark: string; aggregate: Aggregate }): MetricColumn | null =>
  v.name.trim() ? { type: "metric", name: v.name.trim(), benchmark: v.benchmark.trim() || null, aggregate: v.aggregate } : null;

export function ColumnChooser({ columns, onChange }: { columns: Column[]; onChange: (columns: Column[]) => void }) {
  const [metric, setMetric] = useState({ name: "", benchmark: "", aggregate: "LAST" as Aggregate });
  const [key, setKey] = useState("");
  const add = (c: Column | null) => {
    if (c && !columns.some((x) => columnId(x) === columnId(c))) onChange([...columns, c]);
  };
  return (
    <fieldset className="controls" aria-label="Columns">
      <legend>Columns</legend>
      <ul className="chips">
        {columns.map((c) => (
          <li key={columnId(c)}>
            {columnLabel(c)} <button type="button" aria-label={`Remove column ${columnLabel(c)}`} onClick={() => onChange(columns.filter((x) => x !== c))}>×</button>
          </li>
        ))}
      </ul>
      <form className="inline" aria-label="Add a metric column" onSubmit={(e: FormEvent) => { e.preventDefault(); add(metricOf(metric)); }}>
        <MetricInputs prefix="Column" value={metric} onChange={setMetric} />
        <button type="submit">Add metric column</button>
      </form>
      <form className="inline" aria-label="Add a config column" onSubmit={(e: FormEvent) => { e.preventDefault(); if (key.trim()) add({ type: "config", key: key.trim() }); setKey(""); }}>
        <label>Config key <input value={key} placeholder="train.epochs" onChange={(e) => setKey(e.target.value)} /></label>
        <button type="submit">Add config column</button>
      </form>
    </fieldset>
  );
}

export function ThresholdChooser({ has, thresholds, onChange }: { has: string[]; thresholds: MetricThreshold[]; onChange: (has: string[], thresholds: MetricThreshold[]) => void }) {
  const [metric, setMetric] = useState({ name: "", benchmark: "", aggregate: "BEST" as Aggregate });
  const [op, setOp] = useState<"gte" | "lte">("gte");
  const [value, setValue] = useState("");
  const [key, setKey] = useState("");
  const addThreshold = (e: FormEvent) => {
    e.preventDefault();
    const column = metricOf(metric);
    const number = Number(value);
    if (column && value.trim() && Number.isFinite(number)) onChange(has, [...thresholds, { column, op, value: number }]);
  };
  return (
    <fieldset className="controls" aria-label="Column filters">
      <legend>Filters</legend>
      <ul className="chips">
        {has.map((k) => (
          <li key={`has-${k}`}>has {k} <button type="button" aria-label={`Remove filter has ${k}`} onClick={() => onChange(has.filter((x) => x !== k), thresholds)}>×</button></li>
        ))}
        {thresholds.map((t, i) => (
          <li key={`t-${i}`}>
            {columnLabel(t.column)} {t.op === "gte" ? "≥" : "≤"} {t.value}{" "}
            <button type="button" aria-label={`Remove filter ${columnLabel(t.column)}`} onClick={() => onChange(has, thresholds.filter((x) => x !== t))}>×</button>
          </li>
        ))}
      </ul>
      <form className="inline" aria-label="Filter by a config key" onSubmit={(e) => { e.preventDefault(); if (key.trim() && !has.includes(key.trim())) onChange([...has, key.trim()], thresholds); setKey(""); }}>
        <label>Has config key <input value={key} placeholder="transfer.fidelityWeight" onChange={(e) => setKey(e.target.value)} /></label>
        <button type="submit">Add key filter</button>
      </form>
      <form className="inline" aria-label="Filter by a metric threshold" onSubmit={addThreshold}>
        <MetricInputs prefix="Filter" value={metric} onChange={setMetric} />
        <select aria-label="Comparison" value={op} onChange={(e) => setOp(e.target.value as "gte" | "lte")}>
          <option value="gte">≥</option>
          <option value="lte">≤</option>
        </select>
        <label>Threshold <input value={value} inputMode="decimal" onChange={(e) => setValue(e.target.value)} /></label>
        <button type="submit">Add threshold</button>
      </form>
    </fieldset>
  );
}

const PARALLEL_RUNS = 500;
// The server's query cost counts 1 per field and 40 per JSON field (a config value is JSON),
// times `first`, against MAX_QUERY_COST (default 20,000): fewer runs are drawn as axes are added.
const QUERY_COST_BUDGET = 18_000;
const JSON_FIELD_COST = 40;

/** How many runs one parallel-coordinates query may ask for with these columns. */
export function parallelRunLimit(columns: Column[]): number {
  const perRun = 3 + columns.reduce((sum, c) => sum + (c.type === "config" ? JSON_FIELD_COST : 1), 0);
  return Math.max(1, Math.min(PARALLEL_RUNS, Math.floor(QUERY_COST_BUDGET / perRun) - 1));
}
const DEFAULT_AXES = ["transfer.fidelityWeight", "transfer.steps", "train.epochs", "train.lr"];

/** Parallel coordinates over config keys (URL `axes`) and one metric (URL `pm`), for the filtered runs. */
export function ParallelView({ filter, params, set }: { filter: Record<string, unknown>; params: URLSearchParams; set: (next: Record<string, string | null>) => void }) {
  const axes = (params.get("axes") ?? DEFAULT_AXES.join(",")).split(",").filter(Boolean).slice(0, 12);
  const parsedMetric = parseColumn(params.get("pm") ?? "");
  const metric: MetricColumn = parsedMetric?.type === "metric" ? parsedMetric : { type: "metric", name: "accuracy", benchmark: "LFW", aggregate: "BEST" };
  const [key, setKey] = useState("");
  const [draft, setDraft] = useState({ name: metric.name, benchmark: metric.benchmark ?? "", aggregate: metric.aggregate });
  const columns: Column[] = [...axes.map((k): Column => ({ type: "config", key: k })), metric];
  const query = `query Parallel($filter: RunFilter) { runs(filter: $filter, first: ${parallelRunLimit(columns)}) { totalCount nodes { id name ${columnSelection(columns)} } } }`;
  const runs = useQuery<{ runs: { totalCount: number; nodes: Array<{ id: string; name: string | null } & Record<string, unknown>> } }>(query, { filter });
  const setAxes = (next: string[]) => set({ axes: next.join(",") });
  return (
    <section aria-label="Parallel coordinates" className="parallel-view">
      <ul className="chips" aria-label="Axes">
        {axes.map((a) => (
          <li key={a} data-axis-chip={a}>{a} <button type="button" aria-label={`Remove axis ${a}`} onClick={() => setAxes(axes.filter((x) => x !== a))}>×</button></li>
        ))}
        <li>{columnLabel(metric)} (colour)</li>
      </ul>
      <form className="inline" aria-label="Add an axis" onSubmit={(e) => { e.preventDefault(); if (key.trim() && !axes.includes(key.trim())) setAxes([...axes, key.trim()]); setKey(""); }}>
        <label>Axis config key <input value={key} placeholder="train.lr" onChange={(e) => setKey(e.target.value)} /></label>
        <button type="submit">Add axis</button>
      </form>
      <form className="inline" aria-label="Choose the metric axis" onSubmit={(e) => { e.preventDefault(); const m = metricOf(draft); if (m) set({ pm: columnId(m) }); }}>
        <MetricInputs prefix="Axis" value={draft} onChange={setDraft} />
        <button type="submit">Set metric axis</button>
      </form>
      {runs.loading && <Loading what="Loading runs" />}
      {runs.error && <ErrorMessage error={runs.error} retry={runs.refetch} title="Runs could not be loaded" />}
      {runs.data && (
        <>
          <p className="muted small">
            {runs.data.runs.nodes.length} of {runs.data.runs.totalCount} runs{runs.data.runs.totalCount > runs.data.runs.nodes.length ? ` (the newest ${runs.data.runs.nodes.length}; filter to narrow)` : ""}. A line breaks where a run lacks a value.
          </p>
          <ParallelCoordinates
            title={`Parallel coordinates: ${columns.map(columnLabel).join(", ")}`}
            axes={columns.map((c) => ({ id: columnId(c), label: columnLabel(c) }))}
            rows={runs.data.runs.nodes.map((r) => ({ id: r.id, label: r.name ?? r.id, values: columns.map((_, i) => r[`c${i}`]) }))}
          />
        </>
      )}
    </section>
  );
}
