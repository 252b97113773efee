// The default leaderboard read from the maintained group summaries (migration
// 20261130160100_leaderboard_group_summary) instead of recomputed from every point:
// a few hundred group rows and their per-column sums, read by the (benchmark_id, name)
// index, so the plan and its cost do not depend on table statistics. Cells whose group
// does not have every selected column in every run ("incomplete": the row's run count
// and per-run averages then depend on the column set) are left to the full statement,
// restricted to those groups' config keys; the store merges both.
import { Prisma } from "../../generated/prisma/client";

export type ColumnAggregate = "LAST" | "MIN" | "MAX" | "MEAN";

export interface SummaryColumn {
  benchmarkId: string;
  name: string;
  aggregate: ColumnAggregate;
}

const sql = Prisma.sql;

/**
 * The cells' per-column arrays as JSON arrays: the driver parses a Postgres array in
 * JavaScript, character by character (about a third of the Node time of a 300-row board),
 * and JSON natively. Float8 values print shortest-exact, so they read back unchanged.
 */
export const CELL_ARRAYS_AS_JSON = sql`array_to_json(ce.c_idx) AS c_idx, array_to_json(ce.c_n) AS c_n, array_to_json(ce.c_mean) AS c_mean,
           array_to_json(ce.c_std_pop) AS c_std_pop, array_to_json(ce.c_std_samp) AS c_std_samp,
           array_to_json(ce.c_stored_std) AS c_stored_std, array_to_json(ce.c_non_standard) AS c_non_standard`;

/**
 * Rows shaped like the full statement's (RawGroup in leaderboard-store.ts), plus
 * `complete`: false for groups the caller must take from the full statement instead, and
 * `group_ids`: the summary rows behind each board row, for the average's spread.
 * `g` is the same 64-bit hash of the group key as the full statement's, so ties in
 * first_at sort alike. The average's mean is here; its spread needs the pair sums, which
 * are read for the rows shown only (averageSpreadSql), so the board's cost does not grow
 * with columns squared times groups.
 *
 * The plan does not depend on statistics (right after a bulk load nothing is analyzed):
 * the tables read whole are the small summary tables, and the representative run,
 * datasets and method come from primary-key lookups per row (scalar sub-selects are never
 * flattened into a join, so never a hash of the whole run table).
 */
export function leaderboardFromSummariesSql(columns: SummaryColumn[], byGroupName: boolean, withAverage: boolean, onlyConfigKeys?: string[]): Prisma.Sql {
  const groupKey = byGroupName ? sql`g.group_name` : sql`NULL::text`;
  const allLast = columns.every((c) => c.aggregate === "LAST");
  const average = withAverage && allLast && columns.length > 1;
  return sql`
    WITH cols AS (
      SELECT c.benchmark_id, c.name, c.agg, c.idx::int AS idx
      FROM unnest(${columns.map((c) => c.benchmarkId)}::uuid[], ${columns.map((c) => c.name)}::text[], ${columns.map((c) => c.aggregate)}::text[])
        WITH ORDINALITY AS c(benchmark_id, name, agg, idx)
    ),
    parts AS MATERIALIZED (
      SELECT g.*, hash_record_extended(ROW(g.source, NULL::jsonb, NULL::jsonb, NULL::uuid, NULL::jsonb, ${groupKey}, g.config_key), 0) AS k
      FROM leaderboard_group g
      ${onlyConfigKeys ? sql`WHERE g.config_key = ANY(${onlyConfigKeys}::text[])` : Prisma.empty}
    ),
    groups AS (
      SELECT p.k AS g, min(p.source) AS source, min(p.config_key) AS config_key, ${byGroupName ? sql`min(p.group_name)` : sql`NULL::text`} AS k_group,
             sum(p.run_count)::int AS run_count, sum(p.published_count)::int AS published_count,
             min(p.first_at) AS first_at, max(p.last_at) AS last_at, min(p.rep_run_id::text)::uuid AS rep_id,
             array_agg(p.id) AS group_ids,
             CASE WHEN count(p.dataset_id) = count(*) AND min(p.dataset_id::text) = max(p.dataset_id::text) THEN min(p.dataset_id::text)::uuid END AS row_dataset,
             CASE WHEN count(p.transfer_method_id) = count(*) AND min(p.transfer_method_id::text) = max(p.transfer_method_id::text) THEN min(p.transfer_method_id::text)::uuid END AS row_method,
             CASE WHEN count(p.kind) = count(*) AND min(p.kind::text) = max(p.kind::text) THEN min(p.kind::text) END AS kind,
             CASE WHEN count(p.requirement) = count(*) AND min(p.requirement) = max(p.requirement) THEN min(p.requirement) END AS requirement
      FROM parts p
      GROUP BY p.k
    ),
    cell_sums AS (
      SELECT p.k AS g, c.idx, sum(m.n)::int AS n,
             sum(CASE c.agg WHEN 'MIN' THEN m.sum_min WHEN 'MAX' THEN m.sum_max WHEN 'MEAN' THEN m.sum_mean ELSE m.sum_last END) AS s,
             sum(CASE c.agg WHEN 'MIN' THEN m.sum_sq_min WHEN 'MAX' THEN m.sum_sq_max WHEN 'MEAN' THEN m.sum_sq_mean ELSE m.sum_sq_last END) AS ss,
             CASE WHEN c.agg = 'LAST' THEN sum(m.sum_std) / NULLIF(sum(m.n_std), 0) END AS stored_std,
             sum(m.odd) > 0 AS odd
      ${
        onlyConfigKeys
          ? // A few groups: their sums by primary key.
            sql`FROM parts p CROSS JOIN cols c
      CROSS JOIN LATERAL (SELECT * FROM leaderboard_group_metric q WHERE q.group_id = p.id AND q.benchmark_id = c.benchmark_id AND q.name = c.name OFFSET 0) m`
          : sql`FROM cols c
      CROSS JOIN LATERAL (SELECT * FROM leaderboard_group_metric q WHERE q.benchmark_id = c.benchmark_id AND q.name = c.name) m
      JOIN parts p ON p.id = m.group_id`
      }
      GROUP BY p.k, c.idx, c.agg
    ),
    cells AS (
      SELECT x.g, array_agg(x.idx ORDER BY x.idx) AS c_idx, array_agg(x.n ORDER BY x.idx) AS c_n,
             array_agg(x.s / x.n ORDER BY x.idx) AS c_mean,
             array_agg(sqrt(GREATEST(x.ss / x.n - (x.s / x.n) ^ 2, 0)) ORDER BY x.idx) AS c_std_pop,
             array_agg(CASE WHEN x.n > 1 THEN sqrt(GREATEST((x.ss - x.s * x.s / x.n) / (x.n - 1), 0)) END ORDER BY x.idx) AS c_std_samp,
             array_agg(x.stored_std ORDER BY x.idx) AS c_stored_std, array_agg(x.odd ORDER BY x.idx) AS c_non_standard,
             sum(x.s) AS total, bool_and(x.n = gr.run_count) AND count(*) = ${columns.length} AS complete
      FROM cell_sums x JOIN groups gr ON gr.g = x.g
      GROUP BY x.g
    )
    SELECT gr.g, gr.source, NULL::jsonb AS k_dataset, NULL::jsonb AS k_method, gr.row_dataset, gr.row_method,
           NULL::jsonb AS k_params, gr.k_group, (SELECT r.config FROM run r WHERE r.id = gr.rep_id) AS rep_config,
           (SELECT q.name FROM dataset q WHERE q.id = gr.row_dataset) AS dataset_name,
           (SELECT q.source_dataset_id FROM dataset q WHERE q.id = gr.row_dataset) AS base_dataset_id,
           (SELECT s.name FROM dataset q JOIN dataset s ON s.id = q.source_dataset_id WHERE q.id = gr.row_dataset) AS base_dataset_name,
           (SELECT q.name FROM transfer_method q WHERE q.id = gr.row_method) AS method_name, gr.kind, gr.requirement,
           gr.run_count, gr.published_count, gr.first_at, gr.last_at, NULL::uuid[] AS run_ids, NULL::float8[] AS run_times, NULL::int[] AS seeds,
           ${CELL_ARRAYS_AS_JSON},
           ${
             average
               ? sql`CASE WHEN ce.complete THEN gr.run_count END AS avg_n,
                     CASE WHEN ce.complete THEN ce.total / ${columns.length} / gr.run_count END AS avg_mean,`
               : sql`NULL::int AS avg_n, NULL::float8 AS avg_mean,`
           }
           NULL::float8 AS avg_std_pop, NULL::float8 AS avg_std_samp,
           NULL::float8 AS pub_avg_value, NULL::float8 AS pub_avg_std,
           gr.config_key, ce.complete, array_to_json(gr.group_ids::text[]) AS group_ids, ce.total
    FROM groups gr
    JOIN cells ce ON ce.g = gr.g
    ORDER BY gr.first_at, gr.g`;
}

/**
 * Per board row (rows[i] = its summary rows' ids), the sum over its runs of the squared
 * sum of the run's values over the columns (latest values): with the per-column sums this
 * gives the spread of the per-run averages. One primary-key range per summary row.
 */
export function averageSpreadSql(columns: Pick<SummaryColumn, "benchmarkId" | "name">[], rows: string[][]): Prisma.Sql {
  const ids = rows.flatMap((groupIds) => groupIds);
  const ords = rows.flatMap((groupIds, i) => groupIds.map(() => i));
  return sql`
    WITH cols AS (
      SELECT c.benchmark_id, c.name, c.idx::int AS idx
      FROM unnest(${columns.map((c) => c.benchmarkId)}::uuid[], ${columns.map((c) => c.name)}::text[]) WITH ORDINALITY AS c(benchmark_id, name, idx)
    )
    SELECT x.ord, sum(CASE WHEN a.idx = b.idx THEN 1 ELSE 2 END * q.sum_product) AS sq
    FROM unnest(${ids}::bigint[], ${ords}::int[]) AS x(group_id, ord)
    -- OFFSET 0 keeps the sub-select a per-row index range (never flattened into a join that
    -- an unanalyzed table could turn into a scan per row).
    CROSS JOIN LATERAL (SELECT * FROM leaderboard_group_pair p WHERE p.group_id = x.group_id OFFSET 0) q
    JOIN cols a ON a.benchmark_id = q.a_benchmark_id AND a.name = q.a_name
    JOIN cols b ON b.benchmark_id = q.b_benchmark_id AND b.name = q.b_name
    GROUP BY x.ord`;
}
