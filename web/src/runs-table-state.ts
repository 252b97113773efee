// The runs table's chosen columns, sort and filters, kept in the URL (so a view can be
// shared and survives reloads), and the GraphQL pieces they become.
//   cols=m|BEST|LFW|accuracy,c|train.epochs   sort=<column>  dir=asc|desc
//   has=train.epochs,transfer.steps           (config keys that must exist)
//   mf=m|BEST|LFW|accuracy|gte|0.9            (metric thresholds)
// Each |-separated part is URI-encoded, so names may hold any character.

export const AGGREGATES = ["LAST", "BEST", "MIN", "MAX", "MEAN"] as const;
export type Aggregate = (typeof AGGREGATES)[number];

export type Column =
  | { type: "metric"; name: string; benchmark: string | null; aggregate: Aggregate }
  | { type: "config"; key: string };

export interface MetricThreshold {
  column: Extract<Column, { type: "metric" }>;
  op: "gte" | "lte";
  value: number;
}

const MAX_COLUMNS = 20;

const enc = (parts: string[]) => parts.map(encodeURIComponent).join("|");
const dec = (text: string) => text.split("|").map((p) => decodeURIComponent(p));

export function columnId(c: Column): string {
  return c.type === "metric" ? enc(["m", c.aggregate, c.benchmark ?? "", c.name]) : enc(["c", c.key]);
}

export function parseColumn(text: string): Column | null {
  try {
    const [type, a, b, c] = dec(text);
    if (type === "c" && a) return { type: "config", key: a };
    if (type === "m" && c && AGGREGATES.includes(a as Aggregate)) return { type: "metric", aggregate: a as Aggregate, benchmark: b || null, name: c };
  } catch {
    // A hand-edited URL: ignore what does not parse.
  }
  return null;
}

export function parseColumns(text: string | null): Column[] {
  return (text ?? "").split(",").filter(Boolean).slice(0, MAX_COLUMNS).flatMap((t) => parseColumn(t) ?? []);
}

export const columnsParam = (columns: Column[]) => columns.map(columnId).join(",");

export function columnLabel(c: Column): string {
  if (c.type === "config") return c.key;
  return `${c.name}${c.benchmark ? ` · ${c.benchmark}` : ""} (${c.aggregate.toLowerCase()})`;
}

export function parseThresholds(text: string | null): MetricThreshold[] {
  return (text ?? "").split(",").filter(Boolean).flatMap((t) => {
    const parts = dec(t);
    const column = parseColumn(enc(parts.slice(0, 4)));
    const value = Number(parts[5]);
    if (column?.type !== "metric" || (parts[4] !== "gte" && parts[4] !== "lte") || !Number.isFinite(value)) return [];
    return [{ column, op: parts[4], value }];
  });
}

export const thresholdsParam = (list: MetricThreshold[]) =>
  list.map((t) => `${columnId(t.column)}|${t.op}|${encodeURIComponent(String(t.value))}`).join(",");

/** GraphQL selection of the columns as aliases c0, c1, ... on Run. */
export function columnSelection(columns: Column[]): string {
  return columns
    .map((c, i) =>
      c.type === "config"
        ? `c${i}: configValue(key: ${JSON.stringify(c.key)})`
        : `c${i}: metricValue(name: ${JSON.stringify(c.name)}, benchmark: ${JSON.stringify(c.benchmark)}, aggregate: ${c.aggregate})`,
    )
    .join(" ");
}

export function orderByOf(sort: Column | "created" | "updated", direction: "asc" | "desc"): Record<string, unknown> {
  const dir = direction === "asc" ? "ASC" : "DESC";
  if (sort === "created") return { field: "CREATED_AT", direction: dir };
  if (sort === "updated") return { field: "UPDATED_AT", direction: dir };
  if (sort.type === "config") return { field: "CONFIG", direction: dir, configKey: sort.key };
  return { field: "METRIC", direction: dir, metric: { name: sort.name, benchmark: sort.benchmark, aggregate: sort.aggregate } };
}

export function parseSort(text: string | null): Column | "created" | "updated" {
  if (!text || text === "created") return "created";
  if (text === "updated") return "updated";
  return parseColumn(text) ?? "created";
}

export function filterOf(has: string[], thresholds: MetricThreshold[]): Record<string, unknown> {
  const filter: Record<string, unknown> = {};
  if (has.length) filter.config = has.map((key) => ({ key, exists: true }));
  if (thresholds.length)
    filter.metrics = thresholds.map((t) => ({ name: t.column.name, benchmark: t.column.benchmark, aggregate: t.column.aggregate, [t.op]: t.value }));
  return filter;
}

export function cellText(value: unknown): string {
  if (value == null) return "—";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toPrecision(4);
  return typeof value === "string" ? value : JSON.stringify(value);
}
