// Data access for the leaderboard, run comparison and Table 1 timings. The
// leaderboard is aggregated in one SQL statement: runs in scope are keyed into
// groups, each run's latest value per column is picked, and Postgres computes
// mean / stddev per (group, column) and over the per-run averages. JavaScript
// only sees one row per group.
import type { Db } from "../prisma";
import { Prisma } from "../../generated/prisma/client";
import type { DatasetKind, Requirement } from "../../generated/prisma/enums";
import { DATASET_KEY, METHOD_KEY, NON_STANDARD_KEY, SEED_KEYS, withoutSeeds } from "../../domain/run-config";
import { averageSpreadSql, CELL_ARRAYS_AS_JSON, leaderboardFromSummariesSql, type ColumnAggregate } from "./leaderboard-summary-sql";

export interface LeaderboardColumnRef {
  benchmarkId: string;
  name: string;
  /** Which value of each run's points: the latest (default), the min, the max or the mean over steps. */
  aggregate?: ColumnAggregate;
}

/**
 * How runs are keyed into rows, over their effective configuration (run.config, see
 * src/domain/run-config.ts). Published runs never share a row with own runs (the source
 * is always a key). `dataset` / `transferMethod` key by the config's `dataset` and
 * `transfer.method`; `params`: `only` these config keys, or `except` these (the default
 * drops the seeds). `dataset` and `transfer.method` are never among the params.
 */
export interface LeaderboardGrouping {
  dataset: boolean;
  /** Split by the exact training dataset (run.dataset_id), e.g. each transfer output apart. */
  trainingDataset?: boolean;
  transferMethod: boolean;
  params: { only: string[] } | { except: string[] };
  group: boolean;
}

export interface LeaderboardScope {
  requirements?: Requirement[];
  kinds?: DatasetKind[];
  published?: boolean;
  finishedAfter?: Date;
  finishedBefore?: Date;
  /** Matches the training dataset or the dataset it was transferred from. */
  datasetIds?: string[];
  transferMethodIds?: string[];
}

export interface LeaderboardQuery {
  columns: LeaderboardColumnRef[];
  grouping: LeaderboardGrouping;
  scope: LeaderboardScope;
  /** Name of a stored published average (e.g. avg:accuracy) and the metric it averages, when all columns share one metric. */
  publishedAverage?: { name: string; metric: string } | null;
  /** Return each row's run ids and seeds (10,000 runs make them the bulk of the answer). Default true. */
  withRuns?: boolean;
  /** Only runs with these config keys (the store's fallback for groups the summaries cannot answer). */
  configKeys?: string[];
  /** Only the rows of these config keys, from the summaries (a kept board's changed rows). */
  onlyConfigKeys?: string[];
}

/** leaderboard_state (migration 20261202200000): where a kept board stands against the writes. */
export interface LeaderboardVersion {
  version: bigint;
  /** The last version whose change needs a whole new board (names, lineage, archives of datasets and methods, benchmarks). */
  fullVersion: bigint;
  /** Deleted groups are remembered for versions after this one only. */
  goneKeptFrom: bigint;
}

/**
 * Where the full statement reads each run's value: the maintained run x metric summary
 * (any aggregate), or every metric point (the original recomputation, LAST only; kept as
 * the benchmark's baseline).
 */
export type LeaderboardSource = "summaries" | "points";

export interface LeaderboardCellRow {
  column: number;
  n: number;
  mean: number;
  stdPop: number | null;
  stdSamp: number | null;
  /** Mean of the std stored with each run's metric (fold std; the paper's std for published runs). */
  storedStd: number | null;
  /** Some run evaluated this column's benchmark off its protocol (config evaluate.nonStandard). */
  nonStandard: boolean;
}

export interface LeaderboardGroupRow {
  source: string | null;
  /** The grouping's config values of `dataset` and `transfer.method` (null when not grouped by them or absent). */
  configDataset: string | null;
  configMethod: string | null;
  /** The training dataset and method when every run of the group has the same, else null. */
  datasetId: string | null;
  transferMethodId: string | null;
  /** The grouping's config values besides dataset and method. */
  params: Record<string, unknown> | null;
  group: string | null;
  /** With the default grouping: the config identity (run.config_key) its runs share, else null. */
  configKey: string | null;
  datasetName: string | null;
  baseDatasetId: string | null;
  baseDatasetName: string | null;
  methodName: string | null;
  kind: DatasetKind | null;
  requirement: Requirement | null;
  runCount: number;
  publishedCount: number;
  firstAt: Date;
  lastAt: Date;
  /** Null when the query asked for no runs (withRuns: false). */
  runIds: string[] | null;
  seeds: number[] | null;
  cells: LeaderboardCellRow[];
  average: { n: number; mean: number; stdPop: number | null; stdSamp: number | null } | null;
  /**
   * Set when the average's spread (stdPop / stdSamp, null until then) is left to
   * averageSpreads, which reads it for the rows shown only: the row's summary rows and
   * the sum of its values over runs and columns.
   */
  pendingSpread: { groupIds: string[]; total: number } | null;
  /** The stored published average, when the group is one published run whose benchmarks are exactly the columns. */
  publishedAverage: { value: number; std: number | null } | null;
  /** The 64-bit hash of the row's group key: the store's order is (firstAt, order). */
  order: bigint;
}

interface RawGroup {
  g: bigint;
  source: string | null;
  k_dataset: unknown;
  k_method: unknown;
  row_dataset: string | null;
  row_method: string | null;
  k_params: Record<string, unknown> | null;
  k_group: string | null;
  /** With the default grouping: the runs' config identity (run.config_key). */
  k_identity?: string | null;
  config_key?: string | null;
  /** With the default grouping: one run's config (the group's identity, seeds aside). */
  rep_config: Record<string, unknown> | null;
  dataset_name: string | null;
  base_dataset_id: string | null;
  base_dataset_name: string | null;
  method_name: string | null;
  kind: DatasetKind | null;
  requirement: Requirement | null;
  run_count: number;
  published_count: number;
  first_at: Date;
  last_at: Date;
  run_ids: string[] | null;
  run_times: number[] | null;
  seeds: number[] | null;
  c_idx: number[];
  c_n: number[];
  c_mean: number[];
  c_std_pop: (number | null)[];
  c_std_samp: (number | null)[];
  c_stored_std: (number | null)[];
  c_non_standard: boolean[];
  avg_n: number | null;
  avg_mean: number | null;
  avg_std_pop: number | null;
  avg_std_samp: number | null;
  pub_avg_value: number | null;
  pub_avg_std: number | null;
  /** From the group summaries: the summary rows behind the row and its sum of values (the average's spread is read later). */
  group_ids?: string[] | null;
  total?: number | null;
}

/** Oldest first, then by id: the order is stable whatever order SQL aggregated them in. */
function chronological(ids: string[], times: number[]): string[] {
  return ids
    .map((id, i) => ({ id, t: times[i]! }))
    .sort((a, b) => a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((r) => r.id);
}

export interface TransferTimingRow {
  transferMethodId: string;
  device: string;
  runs: number;
  mean: number;
  stdPop: number | null;
  stdSamp: number | null;
  min: number;
  max: number;
  lastAt: Date | null;
}

export interface LatestMetricRow {
  runId: string;
  benchmarkId: string | null;
  name: string;
  value: number;
  std: number | null;
  step: number;
  points: number;
}

const sql = Prisma.sql;

/** A uuid column's value when every run of the group has the same one, else NULL (no sort, unlike count(DISTINCT)). */
function sameForAll(column: Prisma.Sql) {
  return sql`CASE WHEN min(${column}::text) = max(${column}::text) AND count(${column}) = count(*) THEN min(${column}::text)::uuid END`;
}

/**
 * Whether the grouping is the default (dataset, method and every config key but the
 * seeds): exactly the stored identity run.config_key, so runs are keyed by that text
 * instead of a jsonb computed per run.
 */
function byIdentity(grouping: LeaderboardGrouping): boolean {
  const params = grouping.params;
  return (
    grouping.dataset &&
    grouping.transferMethod &&
    !grouping.trainingDataset &&
    "except" in params &&
    params.except.length === SEED_KEYS.length &&
    SEED_KEYS.every((k) => params.except.includes(k))
  );
}

/** The scope's run columns: the keys of the grouping and the effective kind and requirement. */
function scopeSelect(grouping: LeaderboardGrouping) {
  if (byIdentity(grouping)) {
    return sql`
    r.id, r.created_at, r.source, r.seed, r.dataset_id, r.transfer_method_id,
    r.config -> ${NON_STANDARD_KEY}::text AS non_standard,
    NULL::jsonb AS k_dataset, NULL::jsonb AS k_method, NULL::uuid AS k_training, NULL::jsonb AS k_params,
    ${grouping.group ? sql`r.group_name` : sql`NULL::text`} AS k_group,
    r.config_key AS k_identity,
    ${effectiveKindAndRequirement}`;
  }
  const params =
    "only" in grouping.params
      ? grouping.params.only.length
        ? sql`jsonb_build_object(${Prisma.join(grouping.params.only.map((k) => sql`${k}::text, r.config -> ${k}::text`))})`
        : sql`NULL::jsonb`
      : sql`(r.config - ${[...grouping.params.except, DATASET_KEY, METHOD_KEY]}::text[])`;
  return sql`
    r.id, r.created_at, r.source, r.seed, r.dataset_id, r.transfer_method_id,
    r.config -> ${NON_STANDARD_KEY}::text AS non_standard,
    ${grouping.dataset ? sql`r.config -> ${DATASET_KEY}::text` : sql`NULL::jsonb`} AS k_dataset,
    ${grouping.transferMethod ? sql`r.config -> ${METHOD_KEY}::text` : sql`NULL::jsonb`} AS k_method,
    ${grouping.trainingDataset ? sql`r.dataset_id` : sql`NULL::uuid`} AS k_training,
    ${params} AS k_params,
    ${grouping.group ? sql`r.group_name` : sql`NULL::text`} AS k_group,
    NULL::text AS k_identity,
    ${effectiveKindAndRequirement}`;
}

const effectiveKindAndRequirement = sql`
    CASE WHEN r.transfer_method_id IS NOT NULL THEN 'REALISM_TRANSFERRED'::"DatasetKind" ELSE d.kind END AS eff_kind,
    GREATEST(COALESCE(d.requirement, sd.requirement), tm.requirement) AS eff_req`;

/** Archived runs, and runs on an archived dataset or with an archived method, stay off the leaderboard. */
const notArchived = sql`r.archived_at IS NULL AND d.archived_at IS NULL AND tm.archived_at IS NULL`;

/** Runs that count on a leaderboard: SUCCEEDED EVALUATE runs matching the scope. */
function scopeFrom(scope: LeaderboardScope, extra?: Prisma.Sql) {
  const conditions: Prisma.Sql[] = [sql`r.kind = 'EVALUATE'`, sql`r.status = 'SUCCEEDED'`, notArchived];
  if (scope.published != null) conditions.push(scope.published ? sql`r.source IS NOT NULL` : sql`r.source IS NULL`);
  if (scope.finishedAfter) conditions.push(sql`COALESCE(r.finished_at, r.created_at) >= ${scope.finishedAfter}`);
  if (scope.finishedBefore) conditions.push(sql`COALESCE(r.finished_at, r.created_at) < ${scope.finishedBefore}`);
  if (scope.datasetIds) {
    conditions.push(sql`(r.dataset_id = ANY(${scope.datasetIds}::uuid[]) OR d.source_dataset_id = ANY(${scope.datasetIds}::uuid[]))`);
  }
  if (scope.transferMethodIds) conditions.push(sql`r.transfer_method_id = ANY(${scope.transferMethodIds}::uuid[])`);
  if (extra) conditions.push(extra);
  return sql`
    FROM run r
    LEFT JOIN dataset d ON d.id = r.dataset_id
    LEFT JOIN dataset sd ON sd.id = d.source_dataset_id
    LEFT JOIN transfer_method tm ON tm.id = r.transfer_method_id
    WHERE ${Prisma.join(conditions, " AND ")}`;
}

/** Conditions on the computed kind and requirement (applied over the scope's columns). */
function effectiveFilter(scope: LeaderboardScope) {
  const conditions: Prisma.Sql[] = [sql`TRUE`];
  if (scope.kinds) conditions.push(sql`s.eff_kind = ANY(${scope.kinds}::"DatasetKind"[])`);
  if (scope.requirements) conditions.push(sql`s.eff_req = ANY(${scope.requirements}::"Requirement"[])`);
  return Prisma.join(conditions, " AND ");
}

/**
 * The leaderboard statement (exported for the benchmark's SQL-only baseline).
 *
 * keyed: the runs in scope with a 64-bit hash of their group key (g; hashing needs no
 * sort, unlike numbering), flagged when a selected metric was logged at a step > 0.
 * vals: one value per (run, column): every row of the usual runs, and for the
 * flagged few the value at the highest step (an index lookup per run).
 * agg: one pass over vals with two grouping sets: per (group, column) the cell
 * statistics, per (group, run) the run's average over the columns.
 * The rest joins a few hundred rows. Needs PostgreSQL 14+ (hash_record_extended).
 */
export function leaderboardSql(query: LeaderboardQuery, from: LeaderboardSource = "summaries"): Prisma.Sql {
  const { columns, grouping, scope } = query;
  if (from === "points" && columns.some((c) => (c.aggregate ?? "LAST") !== "LAST")) {
    throw new Error("leaderboardSql: only the latest value can be read from the points");
  }
  const keyFilter = query.configKeys ? sql`r.config_key = ANY(${query.configKeys}::text[])` : undefined;
  const identity = byIdentity(grouping);
  const published = query.publishedAverage;
  const publishedAverageCtes = published
    ? sql`,
      pub_avg AS (
        SELECT DISTINCT ON (m.run_id) m.run_id, k.g, m.value, m.std
        FROM metric m JOIN keyed k ON k.id = m.run_id
        WHERE k.source IS NOT NULL AND m.benchmark_id IS NULL AND m.name = ${published.name}
        ORDER BY m.run_id, m.step DESC
      ),
      pub_cover AS (
        SELECT m.run_id, count(DISTINCT m.benchmark_id)::int AS n
        FROM metric m JOIN pub_avg p ON p.run_id = m.run_id
        WHERE m.name = ${published.metric} AND m.benchmark_id IS NOT NULL
        GROUP BY m.run_id
      )`
    : Prisma.empty;
  const publishedAverageSelect = published
    ? sql`CASE WHEN pc.n = ${columns.length} AND av.avg_n = 1 THEN pa.value END AS pub_avg_value,
          CASE WHEN pc.n = ${columns.length} AND av.avg_n = 1 THEN pa.std END AS pub_avg_std`
    : sql`NULL::float8 AS pub_avg_value, NULL::float8 AS pub_avg_std`;
  const publishedAverageJoin = published
    ? sql`LEFT JOIN pub_avg pa ON gr.run_count = 1 AND gr.source IS NOT NULL AND pa.g = gr.g
          LEFT JOIN pub_cover pc ON pc.run_id = pa.run_id`
    : Prisma.empty;

  return sql`
    WITH cols AS (
      SELECT c.benchmark_id, c.name, c.agg, c.idx::int AS idx, b.name AS benchmark_name
      FROM unnest(${columns.map((c) => c.benchmarkId)}::uuid[], ${columns.map((c) => c.name)}::text[], ${columns.map((c) => c.aggregate ?? "LAST")}::text[])
        WITH ORDINALITY AS c(benchmark_id, name, agg, idx)
      JOIN benchmark b ON b.id = c.benchmark_id
    ),
    keyed AS (
      SELECT s.*,
             hash_record_extended(ROW(s.source, s.k_dataset, s.k_method, s.k_training, s.k_params, s.k_group, s.k_identity), 0) AS g,
             ${
               from === "points"
                 ? sql`s.id IN (
               SELECT m.run_id FROM metric m JOIN cols c ON c.benchmark_id = m.benchmark_id AND c.name = m.name
               WHERE m.step > 0
             )`
                 : sql`FALSE`
             } AS multi_step
      FROM (SELECT ${scopeSelect(grouping)} ${scopeFrom(scope, keyFilter)}) s
      WHERE ${effectiveFilter(scope)}
    ),
    vals AS (${from === "summaries" ? (query.configKeys ? summaryValuesPerRun : summaryValues) : sql`
      SELECT k.g, c.idx, m.run_id, m.value, m.std, k.non_standard ? c.benchmark_name AS odd
      FROM metric m
      JOIN cols c ON c.benchmark_id = m.benchmark_id AND c.name = m.name
      JOIN keyed k ON k.id = m.run_id
      WHERE NOT k.multi_step
      UNION ALL
      SELECT k.g, x.idx, k.id, x.value, x.std, k.non_standard ? x.benchmark_name
      FROM keyed k
      CROSS JOIN LATERAL (
        SELECT DISTINCT ON (c.idx) c.idx, c.benchmark_name, m.value, m.std
        FROM metric m JOIN cols c ON c.benchmark_id = m.benchmark_id AND c.name = m.name
        WHERE m.run_id = k.id
        ORDER BY c.idx, m.step DESC
      ) x
      WHERE k.multi_step`}
    ),
    agg AS (
      SELECT g, idx, run_id, count(*)::int AS n, avg(value) AS mean,
             stddev_pop(value) AS std_pop, stddev_samp(value) AS std_samp, avg(std) AS stored_std,
             COALESCE(bool_or(odd), false) AS odd
      FROM vals
      GROUP BY GROUPING SETS ((g, idx), (g, run_id))
    ),
    cells AS (
      SELECT g, array_agg(idx ORDER BY idx) AS c_idx, array_agg(n ORDER BY idx) AS c_n,
             array_agg(mean ORDER BY idx) AS c_mean, array_agg(std_pop ORDER BY idx) AS c_std_pop,
             array_agg(std_samp ORDER BY idx) AS c_std_samp, array_agg(stored_std ORDER BY idx) AS c_stored_std,
             array_agg(odd ORDER BY idx) AS c_non_standard
      FROM agg WHERE run_id IS NULL
      GROUP BY g
    ),
    averages AS (
      SELECT g, count(*)::int AS avg_n, avg(mean) AS avg_mean, stddev_pop(mean) AS avg_std_pop, stddev_samp(mean) AS avg_std_samp
      FROM agg WHERE run_id IS NOT NULL AND n = ${columns.length}
      GROUP BY g
    ),
    groups AS (
      SELECT k.g, k.source, k.k_dataset, k.k_method, k.k_training, k.k_params, k.k_group, k.k_identity,
             ${identity ? sql`min(k.id::text)::uuid` : sql`NULL::uuid`} AS rep_id,
             count(*)::int AS run_count,
             count(*) FILTER (WHERE k.source IS NOT NULL)::int AS published_count,
             min(k.created_at) AS first_at, max(k.created_at) AS last_at,
             ${
               query.withRuns === false
                 ? sql`NULL::uuid[] AS run_ids, NULL::float8[] AS run_times, NULL::int[] AS seeds,`
                 : sql`array_agg(k.id) AS run_ids, array_agg(extract(epoch FROM k.created_at)::float8) AS run_times,
                       array_agg(k.seed) FILTER (WHERE k.seed IS NOT NULL) AS seeds,`
             }
             ${grouping.dataset || grouping.trainingDataset ? sql`${sameForAll(sql`k.dataset_id`)}` : sql`NULL::uuid`} AS row_dataset,
             ${grouping.transferMethod ? sql`${sameForAll(sql`k.transfer_method_id`)}` : sql`NULL::uuid`} AS row_method,
             CASE WHEN min(k.eff_kind) = max(k.eff_kind) AND count(k.eff_kind) = count(*) THEN min(k.eff_kind) END AS kind,
             CASE WHEN min(k.eff_req) = max(k.eff_req) AND count(k.eff_req) = count(*) THEN min(k.eff_req) END AS requirement
      FROM keyed k JOIN agg p ON p.run_id = k.id
      GROUP BY k.g, k.source, k.k_dataset, k.k_method, k.k_training, k.k_params, k.k_group, k.k_identity
    )${publishedAverageCtes}
    SELECT gr.*, ${identity ? sql`rep.config` : sql`NULL::jsonb`} AS rep_config, d.name AS dataset_name, sd.id AS base_dataset_id, sd.name AS base_dataset_name, tm.name AS method_name,
           ${CELL_ARRAYS_AS_JSON},
           av.avg_n, av.avg_mean, av.avg_std_pop, av.avg_std_samp,
           ${publishedAverageSelect}
    FROM groups gr
    JOIN cells ce ON ce.g = gr.g
    LEFT JOIN averages av ON av.g = gr.g
    LEFT JOIN dataset d ON d.id = gr.row_dataset
    LEFT JOIN dataset sd ON sd.id = d.source_dataset_id
    LEFT JOIN transfer_method tm ON tm.id = gr.row_method
    ${identity ? sql`LEFT JOIN run rep ON rep.id = gr.rep_id` : Prisma.empty}
    ${publishedAverageJoin}
    ORDER BY gr.first_at, gr.g`;
}

/** One value per (run, column) from the run x metric summary, per the column's aggregate. */
const summaryValues = sql`
      SELECT k.g, c.idx, s.run_id,
             CASE c.agg WHEN 'MIN' THEN s.min_value WHEN 'MAX' THEN s.max_value WHEN 'MEAN' THEN s.sum / s.count ELSE s.last_value END AS value,
             CASE WHEN c.agg = 'LAST' THEN s.last_std END AS std, k.non_standard ? c.benchmark_name AS odd
      FROM run_metric_summary s
      JOIN cols c ON c.benchmark_id = s.benchmark_id AND c.name = s.name
      JOIN keyed k ON k.id = s.run_id`;

/**
 * summaryValues for a few runs (the summaries' fallback, restricted to some config keys):
 * one index range of run_metric_summary per run, never a scan of the whole table (a hash
 * join over 1.1M summary rows for 6 published runs was most of the 100k board's time).
 */
const summaryValuesPerRun = sql`
      SELECT k.g, c.idx, s.run_id,
             CASE c.agg WHEN 'MIN' THEN s.min_value WHEN 'MAX' THEN s.max_value WHEN 'MEAN' THEN s.sum / s.count ELSE s.last_value END AS value,
             CASE WHEN c.agg = 'LAST' THEN s.last_std END AS std, k.non_standard ? c.benchmark_name AS odd
      FROM keyed k
      CROSS JOIN LATERAL (SELECT * FROM run_metric_summary q WHERE q.run_id = k.id OFFSET 0) s
      JOIN cols c ON c.benchmark_id = s.benchmark_id AND c.name = s.name`;

/** The group's config dataset, method and params: from its key columns, or from one run's config when keyed by identity. */
function groupKeys(row: RawGroup): Pick<LeaderboardGroupRow, "configDataset" | "configMethod" | "params"> {
  const text = (v: unknown) => (typeof v === "string" ? v : null);
  if (!row.rep_config) return { configDataset: text(row.k_dataset), configMethod: text(row.k_method), params: row.k_params };
  const { [DATASET_KEY]: dataset, [METHOD_KEY]: method, ...params } = withoutSeeds(row.rep_config);
  return { configDataset: text(dataset), configMethod: text(method), params };
}

const DEFAULT_GROUPING: LeaderboardGrouping = { dataset: false, transferMethod: false, params: { only: [] }, group: false };

/**
 * Whether the maintained group summaries answer this query: the default grouping (by
 * config identity, optionally by group name) over every leaderboard run, without run ids,
 * and with per-run averages only over latest values.
 */
function fromSummaries(query: LeaderboardQuery): boolean {
  const unscoped = Object.values(query.scope).every((v) => v === undefined);
  const allLast = query.columns.every((c) => (c.aggregate ?? "LAST") === "LAST");
  return byIdentity(query.grouping) && unscoped && query.withRuns === false && !query.configKeys && (allLast || query.columns.length === 1);
}

/** The store's row order: first run, then the group key's hash (as ORDER BY first_at, g). */
export function byFirstRun(a: Pick<LeaderboardGroupRow, "firstAt" | "order">, b: Pick<LeaderboardGroupRow, "firstAt" | "order">): number {
  return a.firstAt.getTime() - b.firstAt.getTime() || (a.order < b.order ? -1 : a.order > b.order ? 1 : 0);
}

export function createLeaderboardStore(prisma: Db) {
  /**
   * The group summaries' rows; groups they cannot answer exactly (some run lacks a column,
   * or a published row that may show its stored average) come from the full statement
   * restricted to those config keys.
   */
  async function summaryRows(query: LeaderboardQuery): Promise<RawGroup[]> {
    const columns = query.columns.map((c) => ({ benchmarkId: c.benchmarkId, name: c.name, aggregate: c.aggregate ?? "LAST" }));
    const rows = await prisma.$queryRaw<(RawGroup & { config_key: string | null; complete: boolean })[]>(
      leaderboardFromSummariesSql(columns, query.grouping.group, true, query.onlyConfigKeys),
    );
    const exact = (r: (typeof rows)[number]) => r.complete && !(query.publishedAverage && r.source !== null);
    const fallbackKeys = [...new Set(rows.filter((r) => !exact(r)).map((r) => r.config_key ?? ""))];
    if (fallbackKeys.length === 0) return rows;
    const rest = await prisma.$queryRaw<RawGroup[]>(leaderboardSql({ ...query, configKeys: fallbackKeys }));
    const fallback = new Set(fallbackKeys);
    const keep = rows.filter((r) => !fallback.has(r.config_key ?? ""));
    return [...keep, ...rest].sort((a, b) => a.first_at.getTime() - b.first_at.getTime() || (a.g < b.g ? -1 : a.g > b.g ? 1 : 0));
  }

  return {
    /** Whether the maintained group summaries answer this query (and leaderboard_state versions it). */
    answersFromSummaries: fromSummaries,

    /**
     * The leaderboard's version (migration 20261202200000): unchanged while no write could
     * change an answer from the summaries. Read before building a board, so a board never
     * misses a write of its version (later writes bump it again).
     */
    async version(): Promise<LeaderboardVersion> {
      const rows = await prisma.$queryRaw<{ version: bigint; full_version: bigint; gone_kept_from: bigint }[]>`
        SELECT version, full_version, gone_kept_from FROM leaderboard_state WHERE id = 1`;
      const row = rows[0];
      return { version: row?.version ?? 0n, fullVersion: row?.full_version ?? 0n, goneKeptFrom: row?.gone_kept_from ?? 0n };
    },

    /**
     * The config keys of the groups written or deleted after version `since` (a kept board
     * rebuilds their rows); null when more than `limit` changed or a changed group has no
     * config key (the whole board is rebuilt then).
     */
    async changedConfigKeys(since: bigint, limit: number): Promise<string[] | null> {
      const rows = await prisma.$queryRaw<{ config_key: string | null }[]>`
        SELECT DISTINCT config_key FROM (
          SELECT config_key FROM leaderboard_group WHERE version > ${since}
          UNION ALL
          SELECT config_key FROM leaderboard_group_gone WHERE version > ${since}
        ) c
        LIMIT ${limit + 1}`;
      if (rows.length > limit || rows.some((r) => r.config_key === null)) return null;
      return rows.map((r) => r.config_key!);
    },

    async leaderboard(query: LeaderboardQuery): Promise<LeaderboardGroupRow[]> {
      const rows = fromSummaries(query) ? await summaryRows(query) : await prisma.$queryRaw<RawGroup[]>(leaderboardSql(query));
      // Groups are numbered by a 64-bit hash of their key; two keys hashing alike
      // (odds ~1e-14 for hundreds of rows) would share cells, so refuse rather than mix.
      if (new Set(rows.map((r) => String(r.g))).size !== rows.length) {
        throw new Error("leaderboard: two group keys share a hash; group differently");
      }

      return rows.map((row) => ({
        source: row.source,
        ...groupKeys(row),
        datasetId: row.row_dataset,
        transferMethodId: row.row_method,
        group: row.k_group,
        configKey: row.k_identity ?? row.config_key ?? null,
        datasetName: row.dataset_name,
        baseDatasetId: row.base_dataset_id,
        baseDatasetName: row.base_dataset_name,
        methodName: row.method_name,
        kind: row.kind,
        requirement: row.requirement,
        runCount: row.run_count,
        publishedCount: row.published_count,
        firstAt: row.first_at,
        lastAt: row.last_at,
        runIds: row.run_ids ? chronological(row.run_ids, row.run_times!) : null,
        seeds: row.run_ids ? [...new Set(row.seeds ?? [])].sort((a, b) => a - b) : null,
        cells: row.c_idx.map((idx, i) => ({
          column: idx - 1,
          n: row.c_n[i]!,
          mean: row.c_mean[i]!,
          stdPop: row.c_std_pop[i] ?? null,
          stdSamp: row.c_std_samp[i] ?? null,
          storedStd: row.c_stored_std[i] ?? null,
          nonStandard: row.c_non_standard[i] ?? false,
        })),
        average:
          row.avg_n != null && row.avg_mean != null
            ? { n: row.avg_n, mean: row.avg_mean, stdPop: row.avg_std_pop, stdSamp: row.avg_std_samp }
            : null,
        publishedAverage: row.pub_avg_value != null ? { value: row.pub_avg_value, std: row.pub_avg_std } : null,
        pendingSpread:
          row.group_ids && row.avg_n != null && row.total != null ? { groupIds: row.group_ids, total: row.total } : null,
        order: BigInt(row.g),
      }));
    },

    /**
     * Fills the average's spread (stdPop, stdSamp) of rows read from the group summaries
     * (pendingSpread): one indexed range of pair sums per summary row, so a page of rows
     * costs the same whatever the board's size.
     */
    async averageSpreads(columns: LeaderboardColumnRef[], rows: LeaderboardGroupRow[]): Promise<void> {
      const pending = rows.filter((r) => r.pendingSpread && r.average);
      if (pending.length === 0) return;
      const sums = await prisma.$queryRaw<{ ord: number; sq: number }[]>(
        averageSpreadSql(columns, pending.map((r) => r.pendingSpread!.groupIds)),
      );
      const c = columns.length;
      for (const { ord, sq } of sums) {
        const row = pending[ord]!;
        const { n } = row.average!;
        const total = row.pendingSpread!.total;
        row.average!.stdPop = Math.sqrt(Math.max(sq / (c * c) / n - (total / c / n) ** 2, 0));
        row.average!.stdSamp = n > 1 ? Math.sqrt(Math.max((sq / (c * c) - (total / c) ** 2 / n) / (n - 1), 0)) : null;
        row.pendingSpread = null;
      }
    },

    /**
     * One page of a default-grouping row's runs (oldest first) and how many it has: the
     * SUCCEEDED EVALUATE runs counted on leaderboards with this config identity and source,
     * and this group name when the row was split by group (`group` undefined: any).
     */
    async groupRuns(
      key: { configKey: string; source: string | null; group?: string | null },
      page: { limit: number; offset: number },
    ): Promise<{ ids: string[]; total: number }> {
      const conditions = [sql`r.config_key = ${key.configKey}`, sql`r.source IS NOT DISTINCT FROM ${key.source}`];
      if (key.group !== undefined) conditions.push(sql`r.group_name IS NOT DISTINCT FROM ${key.group}`);
      const rows = await prisma.$queryRaw<{ id: string; total: number }[]>`
        SELECT r.id, (count(*) OVER ())::int AS total
        ${scopeFrom({}, Prisma.join(conditions, " AND "))}
        ORDER BY r.created_at, r.id
        LIMIT ${page.limit} OFFSET ${page.offset}`;
      if (rows.length > 0 || page.offset === 0) return { ids: rows.map((r) => r.id), total: rows[0]?.total ?? 0 };
      const counted = await prisma.$queryRaw<{ total: number }[]>`SELECT count(*)::int AS total ${scopeFrom({}, Prisma.join(conditions, " AND "))}`;
      return { ids: [], total: counted[0]?.total ?? 0 };
    },

    /** Whether a run counts on a leaderboard with this scope (for leaderboardChanged). */
    async runInScope(runId: string, scope: LeaderboardScope): Promise<boolean> {
      const rows = await prisma.$queryRaw<{ found: boolean }[]>`
        SELECT EXISTS (
          SELECT 1 FROM (SELECT ${scopeSelect(DEFAULT_GROUPING)} ${scopeFrom(scope, sql`r.id = ${runId}::uuid`)}) s
          WHERE ${effectiveFilter(scope)}
        ) AS found`;
      return rows[0]?.found ?? false;
    },

    /** Seconds per image of SUCCEEDED TRANSFER runs per method and device (seconds_per_image, else 1 / images_per_second). */
    async transferTimings(names: { secondsPerImage: string; imagesPerSecond: string }): Promise<TransferTimingRow[]> {
      const rows = await prisma.$queryRaw<
        { method_id: string; device: string; runs: number; mean: number; std_pop: number | null; std_samp: number | null; min: number; max: number; last_at: Date | null }[]
      >`
        WITH latest AS (
          SELECT DISTINCT ON (m.run_id, m.name) m.run_id, m.name, m.value
          FROM metric m JOIN run r ON r.id = m.run_id
          WHERE r.kind = 'TRANSFER' AND r.status = 'SUCCEEDED' AND r.transfer_method_id IS NOT NULL AND r.archived_at IS NULL
            AND m.benchmark_id IS NULL AND m.name IN (${names.secondsPerImage}, ${names.imagesPerSecond})
          ORDER BY m.run_id, m.name, m.step DESC
        ),
        per_run AS (
          SELECT l.run_id,
                 COALESCE(max(l.value) FILTER (WHERE l.name = ${names.secondsPerImage}),
                          1.0 / NULLIF(max(l.value) FILTER (WHERE l.name = ${names.imagesPerSecond}), 0)) AS spi
          FROM latest l GROUP BY l.run_id
        )
        SELECT r.transfer_method_id AS method_id, COALESCE(NULLIF(r.device, ''), 'unknown') AS device,
               count(*)::int AS runs, avg(p.spi) AS mean, stddev_pop(p.spi) AS std_pop, stddev_samp(p.spi) AS std_samp,
               min(p.spi) AS min, max(p.spi) AS max, max(COALESCE(r.finished_at, r.created_at)) AS last_at
        FROM per_run p JOIN run r ON r.id = p.run_id
        WHERE p.spi IS NOT NULL
        GROUP BY 1, 2
        ORDER BY 1, 2`;
      return rows.map((r) => ({
        transferMethodId: r.method_id,
        device: r.device,
        runs: r.runs,
        mean: r.mean,
        stdPop: r.std_pop,
        stdSamp: r.std_samp,
        min: r.min,
        max: r.max,
        lastAt: r.last_at,
      }));
    },

    /** Each run's latest value per (benchmark, metric), with how many steps it has. */
    async latestMetrics(runIds: readonly string[]): Promise<LatestMetricRow[]> {
      const rows = await prisma.$queryRaw<
        { run_id: string; benchmark_id: string | null; name: string; value: number; std: number | null; step: number; points: number }[]
      >`
        SELECT DISTINCT ON (m.run_id, m.benchmark_id, m.name)
               m.run_id, m.benchmark_id, m.name, m.value, m.std, m.step,
               (count(*) OVER (PARTITION BY m.run_id, m.benchmark_id, m.name))::int AS points
        FROM metric m
        WHERE m.run_id = ANY(${[...runIds]}::uuid[])
        ORDER BY m.run_id, m.benchmark_id, m.name, m.step DESC`;
      return rows.map((r) => ({
        runId: r.run_id,
        benchmarkId: r.benchmark_id,
        name: r.name,
        value: r.value,
        std: r.std,
        step: r.step,
        points: r.points,
      }));
    },
  };
}

export type LeaderboardStore = ReturnType<typeof createLeaderboardStore>;
