// Data access for the leaderboard, run comparison and Table 1 timings. The
// leaderboard is aggregated in one SQL statement: runs in scope are keyed into
// groups, each run's latest value per column is picked, and Postgres computes
// mean / stddev per (group, column) and over the per-run averages. JavaScript
// only sees one row per group.
import type { Db } from "../prisma";
import { Prisma } from "../../generated/prisma/client";
import type { DatasetKind, Requirement } from "../../generated/prisma/enums";

export interface LeaderboardColumnRef {
  benchmarkId: string;
  name: string;
}

/** How runs are keyed into rows. Published runs never share a row with own runs (the source is always a key). */
export interface LeaderboardGrouping {
  dataset: boolean;
  transferMethod: boolean;
  /** `only`: these params; `except`: every param but these (the default drops the seed). */
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
}

export interface LeaderboardCellRow {
  column: number;
  n: number;
  mean: number;
  stdPop: number | null;
  stdSamp: number | null;
  /** Mean of the std stored with each run's metric (fold std; the paper's std for published runs). */
  storedStd: number | null;
}

export interface LeaderboardGroupRow {
  ordinal: number;
  source: string | null;
  datasetId: string | null;
  transferMethodId: string | null;
  params: Record<string, unknown> | null;
  group: string | null;
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
  runIds: string[];
  seeds: number[];
  cells: LeaderboardCellRow[];
  average: { n: number; mean: number; stdPop: number | null; stdSamp: number | null } | null;
  /** The stored published average, when the group is one published run whose benchmarks are exactly the columns. */
  publishedAverage: { value: number; std: number | null } | null;
}

interface RawGroup {
  source: string | null;
  k_dataset: string | null;
  k_method: string | null;
  k_params: Record<string, unknown> | null;
  k_group: string | null;
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
  run_ids: string[];
  seeds: number[] | null;
  c_n: number[];
  c_mean: (number | null)[];
  c_std_pop: (number | null)[];
  c_std_samp: (number | null)[];
  c_stored_std: (number | null)[];
  avg_n: number;
  avg_mean: number | null;
  avg_std_pop: number | null;
  avg_std_samp: number | null;
  pub_avg_value: number | null;
  pub_avg_std: number | null;
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

/** The scope's run columns: the keys of the grouping and the effective kind and requirement. */
function scopeSelect(grouping: LeaderboardGrouping) {
  const params =
    "only" in grouping.params
      ? grouping.params.only.length
        ? sql`jsonb_build_object(${Prisma.join(grouping.params.only.map((k) => sql`${k}::text, r.params -> ${k}::text`))})`
        : sql`NULL::jsonb`
      : sql`(r.params - ${grouping.params.except}::text[])`;
  return sql`
    r.id, r.created_at, r.source, r.seed,
    ${grouping.dataset ? sql`r.dataset_id` : sql`NULL::uuid`} AS k_dataset,
    ${grouping.transferMethod ? sql`r.transfer_method_id` : sql`NULL::uuid`} AS k_method,
    ${params} AS k_params,
    ${grouping.group ? sql`r.group_name` : sql`NULL::text`} AS k_group,
    CASE WHEN r.transfer_method_id IS NOT NULL THEN 'REALISM_TRANSFERRED'::"DatasetKind" ELSE d.kind END AS eff_kind,
    GREATEST(COALESCE(d.requirement, sd.requirement), tm.requirement) AS eff_req`;
}

/** Runs that count on a leaderboard: SUCCEEDED EVALUATE runs matching the scope. */
function scopeFrom(scope: LeaderboardScope, extra?: Prisma.Sql) {
  const conditions: Prisma.Sql[] = [sql`r.kind = 'EVALUATE'`, sql`r.status = 'SUCCEEDED'`];
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
 * 1. keyed: the runs in scope with their group key columns.
 * 2. per_run_raw: one row per run; for each column (a FILTER per column index) the
 *    number of points, their value and std. One hash aggregate over the metric rows.
 * 3. per_run: a column logged at several steps takes the value at the highest step
 *    (an index lookup, only for those cells); the run's average over all columns.
 * 4. groups: one hash aggregate over the runs per group key: count / avg / stddev per
 *    column and over the per-run averages.
 */
export function leaderboardSql(query: LeaderboardQuery): Prisma.Sql {
  const { columns, grouping, scope } = query;
  const published = query.publishedAverage;
  // Identifiers and column indexes below are generated integers, never user input.
  const at = (prefix: string, i: number) => Prisma.raw(`${prefix}_${i}`);
  const index = (i: number) => Prisma.raw(String(i + 1));
  const each = (make: (i: number) => Prisma.Sql, separator = ", ") => Prisma.join(columns.map((_, i) => make(i)), separator);
  const latest = (field: "value" | "std", i: number) => sql`
    (SELECT m2.${Prisma.raw(field)} FROM metric m2
     WHERE m2.run_id = p.run_id AND m2.benchmark_id = ${columns[i]!.benchmarkId}::uuid AND m2.name = ${columns[i]!.name}
     ORDER BY m2.step DESC LIMIT 1)`;

  const publishedAverageCtes = published
    ? sql`,
      pub_avg AS (
        SELECT DISTINCT ON (m.run_id) m.run_id, m.value, m.std
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
    ? sql`CASE WHEN pc.n = ${columns.length} AND gr.avg_n = 1 THEN pa.value END AS pub_avg_value,
          CASE WHEN pc.n = ${columns.length} AND gr.avg_n = 1 THEN pa.std END AS pub_avg_std`
    : sql`NULL::float8 AS pub_avg_value, NULL::float8 AS pub_avg_std`;
  const publishedAverageJoin = published
    ? sql`LEFT JOIN pub_avg pa ON gr.run_count = 1 AND gr.source IS NOT NULL AND pa.run_id = gr.run_ids[1]
          LEFT JOIN pub_cover pc ON pc.run_id = pa.run_id`
    : Prisma.empty;

  return sql`
    WITH cols AS (
      SELECT c.benchmark_id, c.name, c.idx::int AS idx
      FROM unnest(${columns.map((c) => c.benchmarkId)}::uuid[], ${columns.map((c) => c.name)}::text[])
        WITH ORDINALITY AS c(benchmark_id, name, idx)
    ),
    keyed AS (
      SELECT s.* FROM (SELECT ${scopeSelect(grouping)} ${scopeFrom(scope)}) s
      WHERE ${effectiveFilter(scope)}
    ),
    per_run_raw AS (
      SELECT m.run_id,
        ${each((i) => sql`count(*) FILTER (WHERE c.idx = ${index(i)}) AS ${at("n", i)},
          max(m.value) FILTER (WHERE c.idx = ${index(i)}) AS ${at("v", i)},
          max(m.std) FILTER (WHERE c.idx = ${index(i)}) AS ${at("s", i)}`)}
      FROM metric m
      JOIN cols c ON c.benchmark_id = m.benchmark_id AND c.name = m.name
      JOIN keyed k ON k.id = m.run_id
      GROUP BY m.run_id
    ),
    per_run AS (
      SELECT q.*, (${each((i) => at("v", i), " + ")}) / ${columns.length}::float8 AS run_avg
      FROM (
        SELECT p.run_id,
          ${each((i) => sql`CASE WHEN p.${at("n", i)} > 1 THEN ${latest("value", i)} ELSE p.${at("v", i)} END AS ${at("v", i)},
            CASE WHEN p.${at("n", i)} > 1 THEN ${latest("std", i)} ELSE p.${at("s", i)} END AS ${at("s", i)}`)}
        FROM per_run_raw p
      ) q
    ),
    groups AS (
      SELECT k.source, k.k_dataset, k.k_method, k.k_params, k.k_group,
             count(*)::int AS run_count,
             count(*) FILTER (WHERE k.source IS NOT NULL)::int AS published_count,
             min(k.created_at) AS first_at, max(k.created_at) AS last_at,
             array_agg(k.id ORDER BY k.created_at, k.id) AS run_ids,
             array_agg(DISTINCT k.seed) FILTER (WHERE k.seed IS NOT NULL) AS seeds,
             CASE WHEN min(k.eff_kind) = max(k.eff_kind) AND count(k.eff_kind) = count(*) THEN min(k.eff_kind) END AS kind,
             CASE WHEN min(k.eff_req) = max(k.eff_req) AND count(k.eff_req) = count(*) THEN min(k.eff_req) END AS requirement,
             ARRAY[${each((i) => sql`count(p.${at("v", i)})::int`)}] AS c_n,
             ARRAY[${each((i) => sql`avg(p.${at("v", i)})`)}] AS c_mean,
             ARRAY[${each((i) => sql`stddev_pop(p.${at("v", i)})`)}] AS c_std_pop,
             ARRAY[${each((i) => sql`stddev_samp(p.${at("v", i)})`)}] AS c_std_samp,
             ARRAY[${each((i) => sql`avg(p.${at("s", i)})`)}] AS c_stored_std,
             count(p.run_avg)::int AS avg_n, avg(p.run_avg) AS avg_mean,
             stddev_pop(p.run_avg) AS avg_std_pop, stddev_samp(p.run_avg) AS avg_std_samp
      FROM per_run p JOIN keyed k ON k.id = p.run_id
      GROUP BY k.source, k.k_dataset, k.k_method, k.k_params, k.k_group
    )${publishedAverageCtes}
    SELECT gr.*, d.name AS dataset_name, sd.id AS base_dataset_id, sd.name AS base_dataset_name, tm.name AS method_name,
           ${publishedAverageSelect}
    FROM groups gr
    LEFT JOIN dataset d ON d.id = gr.k_dataset
    LEFT JOIN dataset sd ON sd.id = d.source_dataset_id
    LEFT JOIN transfer_method tm ON tm.id = gr.k_method
    ${publishedAverageJoin}
    ORDER BY gr.first_at, gr.source NULLS FIRST, gr.k_dataset, gr.k_method, gr.k_params, gr.k_group`;
}

const DEFAULT_GROUPING: LeaderboardGrouping = { dataset: false, transferMethod: false, params: { only: [] }, group: false };

export function createLeaderboardStore(prisma: Db) {
  return {
    async leaderboard(query: LeaderboardQuery): Promise<LeaderboardGroupRow[]> {
      const rows = await prisma.$queryRaw<RawGroup[]>(leaderboardSql(query));

      return rows.map((row, ordinal) => ({
        ordinal,
        source: row.source,
        datasetId: row.k_dataset,
        transferMethodId: row.k_method,
        params: row.k_params,
        group: row.k_group,
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
        runIds: row.run_ids,
        seeds: [...(row.seeds ?? [])].sort((a, b) => a - b),
        cells: row.c_n.flatMap((n, column) =>
          n > 0
            ? [
                {
                  column,
                  n,
                  mean: row.c_mean[column]!,
                  stdPop: row.c_std_pop[column] ?? null,
                  stdSamp: row.c_std_samp[column] ?? null,
                  storedStd: row.c_stored_std[column] ?? null,
                },
              ]
            : [],
        ),
        average:
          row.avg_n > 0 && row.avg_mean != null
            ? { n: row.avg_n, mean: row.avg_mean, stdPop: row.avg_std_pop, stdSamp: row.avg_std_samp }
            : null,
        publishedAverage: row.pub_avg_value != null ? { value: row.pub_avg_value, std: row.pub_avg_std } : null,
      }));
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
          WHERE r.kind = 'TRANSFER' AND r.status = 'SUCCEEDED' AND r.transfer_method_id IS NOT NULL
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
