// SQL pieces of the runs table (runs query): the filter as a WHERE clause over `run r`,
// a metric's per-run aggregate over steps, and the sort expression with its keyset
// condition. Values are always bind parameters; keys and names are validated upstream.
import { Prisma } from "../../generated/prisma/client";
import type { RunStatus } from "../../generated/prisma/enums";
import type { RunKind } from "../../domain/run-kind";

/** How a metric's points over steps become one value per run (BEST is resolved to MIN/MAX first). */
import type { StoredAggregate } from "../../domain/metric-aggregate";
export type { StoredAggregate };

/** One metric of a run, reduced over its steps. benchmarkId null: the run's own (benchmark-less) metric. */
export interface MetricAggregateRef {
  name: string;
  benchmarkId: string | null;
  aggregate: StoredAggregate;
}

export interface Range {
  gt?: number | null;
  gte?: number | null;
  lt?: number | null;
  lte?: number | null;
}

/** One condition on a key of run.config (validated by the runs service). */
export interface ConfigCondition extends Range {
  key: string;
  eq?: unknown;
  in?: unknown[] | null;
  /** true: the key is present; false: absent. */
  exists?: boolean | null;
}

export interface MetricCondition extends Range {
  metric: MetricAggregateRef;
}

export interface RunListFilter {
  kind?: RunKind | null;
  status?: RunStatus[] | null;
  group?: string | null;
  datasetId?: string | null;
  transferMethodId?: string | null;
  published?: boolean | null;
  /** false or undefined: unarchived runs only; true: archived only; null: both. */
  archived?: boolean | null;
  /** Runs carrying every one of these tags. */
  tags?: string[] | null;
  configKey?: string | null;
  config?: ConfigCondition[] | null;
  metrics?: MetricCondition[] | null;
}

/** What the runs table sorts by: a run column, a config key (jsonb order) or a metric aggregate. */
export type RunSort =
  | { kind: "createdAt" | "updatedAt" }
  | { kind: "config"; key: string }
  | { kind: "metric"; metric: MetricAggregateRef };

const RANGE_OPS = { gt: ">", gte: ">=", lt: "<", lte: "<=" } as const;

function rangeSql(expression: Prisma.Sql, range: Range): Prisma.Sql[] {
  return (Object.keys(RANGE_OPS) as (keyof typeof RANGE_OPS)[])
    .filter((op) => range[op] != null)
    .map((op) => Prisma.sql`${expression} ${Prisma.raw(RANGE_OPS[op])} ${range[op]}::float8`);
}

/**
 * The rows of `table` (aliased `alias`) of each of the given runs, as a FROM item: one
 * lookup per run on the table's (run_id, ...) index. The statistics-independent form of
 * `run_id = ANY(ids)`: without statistics (right after bulk writes) the planner reads that
 * off another index or a sequential scan of every run's rows (33 ms instead of 2 ms for
 * 100 runs x 11 summaries at 10k runs). OFFSET 0 keeps the subquery from being flattened
 * into a join, so it stays a lookup per run whatever the estimates.
 *
 * `orderBy` orders each run's rows inside its lookup (11 rows, not the whole answer): the
 * subquery is the inner side of a nested loop, so a run's rows come out together and in
 * that order, which is all a caller grouping rows by run needs.
 */
export function perRunSql(
  table: "metric" | "run_metric_summary",
  alias: string,
  runIds: readonly string[],
  condition: Prisma.Sql = Prisma.sql`true`,
  orderBy: Prisma.Sql = Prisma.empty,
): Prisma.Sql {
  const t = Prisma.raw(alias);
  const order = orderBy === Prisma.empty ? Prisma.empty : Prisma.sql`ORDER BY ${orderBy}`;
  return Prisma.sql`unnest(${[...runIds]}::uuid[]) AS per_run(run_id)
    CROSS JOIN LATERAL (SELECT * FROM ${Prisma.raw(table)} ${t} WHERE ${t}.run_id = per_run.run_id AND ${condition} ${order} OFFSET 0) ${t}`;
}

/**
 * `SELECT run_id, value` of one metric aggregated per run (only runs that have the metric),
 * read from the maintained per run x metric summary (run_metric_summary, kept by triggers on
 * metric in the writing transaction): one row per run, no scan over steps. With `runIds`,
 * one index lookup per given run (perRunSql).
 */
export function metricAggregateSql(ref: MetricAggregateRef, runIds?: readonly string[], runCondition?: Prisma.Sql): Prisma.Sql {
  const value = {
    LAST: Prisma.sql`s.last_value`,
    MIN: Prisma.sql`s.min_value`,
    MAX: Prisma.sql`s.max_value`,
    MEAN: Prisma.sql`s.sum / s.count`,
  }[ref.aggregate];
  const benchmark = ref.benchmarkId == null ? Prisma.sql`s.benchmark_id IS NULL` : Prisma.sql`s.benchmark_id = ${ref.benchmarkId}::uuid`;
  const metric = Prisma.sql`s.name = ${ref.name} AND ${benchmark}`;
  if (runIds) return Prisma.sql`SELECT s.run_id, ${value} AS value FROM ${perRunSql("run_metric_summary", "s", runIds, metric)}`;
  const runs = runCondition ? Prisma.sql`AND ${runCondition}` : Prisma.empty;
  return Prisma.sql`SELECT s.run_id, ${value} AS value FROM run_metric_summary s WHERE ${metric} ${runs}`;
}

/**
 * One metric's aggregate for the run `r` as a scalar subquery: an index lookup per run on
 * run_metric_summary (run_id, benchmark_id, name), so the plan does not depend on table statistics.
 */
export function metricValueSql(ref: MetricAggregateRef): Prisma.Sql {
  return Prisma.sql`(SELECT a.value FROM (${metricAggregateSql(ref, undefined, Prisma.sql`s.run_id = r.id`)}) a)`;
}

function configConditionSql(c: ConfigCondition): Prisma.Sql[] {
  const value = Prisma.sql`r.config -> ${c.key}::text`;
  const where: Prisma.Sql[] = [];
  if (c.exists != null) where.push(c.exists ? Prisma.sql`r.config ? ${c.key}::text` : Prisma.sql`NOT (r.config ? ${c.key}::text)`);
  if (c.eq != null) where.push(Prisma.sql`${value} = ${JSON.stringify(c.eq)}::jsonb`);
  if (c.in) where.push(Prisma.sql`${value} = ANY(${c.in.map((v) => JSON.stringify(v))}::jsonb[])`);
  const ranges = rangeSql(Prisma.sql`(${value} #>> '{}')::float8`, c);
  // A range matches numbers only (the type test guards the cast).
  if (ranges.length) where.push(Prisma.sql`(CASE WHEN jsonb_typeof(${value}) = 'number' THEN ${Prisma.join(ranges, " AND ")} ELSE false END)`);
  return where;
}

function metricConditionSql(c: MetricCondition): Prisma.Sql {
  return Prisma.join(rangeSql(metricValueSql(c.metric), c), " AND ");
}

/**
 * The filter's conditions that run_count answers (kind, status, published, archived), or
 * null when it has others and the runs must be counted.
 */
export function countTableWhereSql(filter: RunListFilter): Prisma.Sql | null {
  const { kind, status, published, archived, ...rest } = filter;
  if (Object.values(rest).some((v) => v != null && !(Array.isArray(v) && v.length === 0))) return null;
  const where: Prisma.Sql[] = [Prisma.sql`true`];
  if (kind) where.push(Prisma.sql`c.kind = ${kind}`);
  if (status?.length) where.push(Prisma.sql`c.status = ANY(${status}::"RunStatus"[])`);
  if (published != null) where.push(Prisma.sql`c.published = ${published}`);
  if (archived !== null) where.push(Prisma.sql`c.archived = ${archived ?? false}`);
  return Prisma.join(where, " AND ");
}

/** The filter as one boolean SQL expression over `run r`. */
export function runWhereSql(filter: RunListFilter): Prisma.Sql {
  const where: Prisma.Sql[] = [];
  if (filter.kind) where.push(Prisma.sql`r.kind = ${filter.kind}`);
  if (filter.status?.length) where.push(Prisma.sql`r.status = ANY(${filter.status}::"RunStatus"[])`);
  if (filter.group != null) where.push(Prisma.sql`r.group_name = ${filter.group}`);
  if (filter.datasetId) where.push(Prisma.sql`r.dataset_id = ${filter.datasetId}::uuid`);
  if (filter.transferMethodId) where.push(Prisma.sql`r.transfer_method_id = ${filter.transferMethodId}::uuid`);
  if (filter.published != null) where.push(filter.published ? Prisma.sql`r.source IS NOT NULL` : Prisma.sql`r.source IS NULL`);
  if (filter.archived !== null) where.push(filter.archived ? Prisma.sql`r.archived_at IS NOT NULL` : Prisma.sql`r.archived_at IS NULL`);
  if (filter.tags?.length) where.push(Prisma.sql`r.tags @> ${filter.tags}::text[]`);
  if (filter.configKey) where.push(Prisma.sql`r.config_key = ${filter.configKey}`);
  for (const c of filter.config ?? []) where.push(...configConditionSql(c));
  for (const c of filter.metrics ?? []) where.push(metricConditionSql(c));
  return where.length ? Prisma.join(where, " AND ") : Prisma.sql`true`;
}

export interface SortSql {
  expression: Prisma.Sql;
  type: "timestamptz" | "jsonb" | "float8";
  join: Prisma.Sql;
  /** Never null: the ORDER BY then matches the (column, id) index instead of sorting every run. */
  notNull: boolean;
}

/** The sort expression over `run r` (metric sorts join `sort_metric`), and the SQL type of its value. */
export function sortSql(sort: RunSort): SortSql {
  switch (sort.kind) {
    case "createdAt":
      return { expression: Prisma.sql`r.created_at`, type: "timestamptz", join: Prisma.empty, notNull: true };
    case "updatedAt":
      return { expression: Prisma.sql`r.updated_at`, type: "timestamptz", join: Prisma.empty, notNull: true };
    case "config":
      return { expression: Prisma.sql`(r.config -> ${sort.key}::text)`, type: "jsonb", join: Prisma.empty, notNull: false };
    case "metric":
      return { expression: Prisma.sql`sort_metric.value`, type: "float8", join: Prisma.sql`CROSS JOIN LATERAL (SELECT ${metricValueSql(sort.metric)} AS value) sort_metric`, notNull: false };
  }
}

/**
 * Keyset condition after the row (value, id) in the order `(value IS NULL), value dir, id dir`:
 * runs without a value come last in both directions, so paging never skips or repeats them.
 */
export function keysetSql(sort: SortSql, direction: "asc" | "desc", after: { value: unknown; id: string }): Prisma.Sql {
  const { expression, type } = sort;
  const op = Prisma.raw(direction === "desc" ? "<" : ">");
  // A row comparison is what an index on (column, id) can start from.
  if (sort.notNull) return Prisma.sql`(${expression}, r.id) ${op} (${after.value}::${Prisma.raw(type)}, ${after.id}::uuid)`;
  const id = Prisma.sql`r.id ${op} ${after.id}::uuid`;
  if (after.value == null) return Prisma.sql`(${expression} IS NULL AND ${id})`;
  const value = type === "jsonb" ? JSON.stringify(after.value) : after.value;
  const last = Prisma.sql`${value}::${Prisma.raw(type)}`;
  return Prisma.sql`(${expression} IS NULL OR ${expression} ${op} ${last} OR (${expression} = ${last} AND ${id}))`;
}
