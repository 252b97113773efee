// Data access for metrics and curves. Metric ingestion is one multi-row INSERT
// ... ON CONFLICT DO UPDATE per call: idempotent and ~one round trip.
import type { Db } from "../prisma";
import { Prisma } from "../../generated/prisma/client";
import { EVENTS_CHANNEL } from "../../events/topics";
import type { AuditEventInput } from "./audit-store";
import { metricAggregateSql, perRunSql, type MetricAggregateRef } from "./run-list-sql";

export interface MetricRow {
  runId: string;
  benchmarkId: string | null;
  name: string;
  value: number;
  std: number | null;
  step: number;
}

/**
 * A logged metric point as read for the API: its id and time as text (the time in ISO 8601,
 * UTC, as the DateTime scalar prints it), so reading a thousand points builds no BigInt or Date.
 */
export interface MetricPoint extends MetricRow {
  id: string;
  createdAt: string;
}

/** One metric of a run summarised over its steps (a run_metric_summary row). */
export interface MetricSummaryRow {
  runId: string;
  benchmarkId: string | null;
  name: string;
  last: number;
  lastStd: number | null;
  lastStep: number;
  min: number;
  max: number;
  mean: number;
  count: number;
}

// Postgres allows 65535 bind parameters per statement; 6 per row.
const ROWS_PER_STATEMENT = 10_000;

/** The input rows as one `input` CTE of unnest()ed arrays: the statement text is the same whatever the batch size. */
function inputRows(chunk: readonly MetricRow[]) {
  return Prisma.sql`
          input AS (
            SELECT * FROM unnest(
              ${chunk.map((r) => r.runId)}::uuid[], ${chunk.map((r) => r.benchmarkId)}::uuid[],
              ${chunk.map((r) => r.name)}::text[], ${chunk.map((r) => r.value)}::float8[],
              ${chunk.map((r) => r.std)}::float8[], ${chunk.map((r) => r.step)}::int[]
            ) AS t(run_id, benchmark_id, name, value, std, step)
          ), written AS (
            INSERT INTO metric (run_id, benchmark_id, name, value, std, step)
            SELECT run_id, benchmark_id, name, value, std, step FROM input
            -- One global lock order: concurrent batches over overlapping keys wait, never deadlock.
            ORDER BY benchmark_id NULLS FIRST, name, step
            ON CONFLICT (run_id, benchmark_id, name, step)
            DO UPDATE SET value = EXCLUDED.value, std = EXCLUDED.std
            RETURNING (xmax = 0) AS is_new
          )`;
}

export function createMetricsStore(prisma: Db) {
  return {
    /** Upserts metric points; returns how many were new. Rows must be unique on their key. */
    async upsert(rows: MetricRow[]): Promise<number> {
      let inserted = 0;
      for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
        const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
        // unnest() keeps the statement text constant whatever the batch size.
        const result = await prisma.$queryRaw<{ inserted: bigint }[]>`
          WITH ${inputRows(chunk)}
          SELECT count(*) FILTER (WHERE is_new) AS inserted FROM written`;
        inserted += Number(result[0]?.inserted ?? 0);
      }
      return inserted;
    },

    /**
     * logMetrics' write in ONE statement (atomic by itself, so no BEGIN/COMMIT round trips):
     * upserts at most 10,000 points (as upsert), records the audit event with `inserted` and
     * `overwritten` added to its changes, and sends `notifyPayload` on the events channel,
     * delivered only if the statement commits. Returns how many points were new.
     */
    async upsertAudited(rows: MetricRow[], audit: AuditEventInput, notifyPayload: string): Promise<number> {
      if (rows.length > ROWS_PER_STATEMENT) throw new Error(`upsertAudited: at most ${ROWS_PER_STATEMENT} rows per statement`);
      const result = await prisma.$queryRaw<{ inserted: number }[]>`
        WITH ${inputRows(rows)}, counted AS (
          SELECT (count(*) FILTER (WHERE is_new))::int AS inserted, count(*)::int AS points FROM written
        ), audited AS (
          INSERT INTO run_audit_event (run_id, actor, token_id, action, changes)
          SELECT ${audit.runId}::uuid, ${audit.actor}, ${audit.tokenId}::uuid, ${audit.action},
                 ${JSON.stringify(audit.changes)}::jsonb || jsonb_build_object('inserted', c.inserted, 'overwritten', c.points - c.inserted)
          FROM counted c
          RETURNING id
        )
        SELECT c.inserted, pg_notify(${EVENTS_CHANNEL}, ${notifyPayload}) IS NULL AS notified
        FROM counted c, (SELECT count(*) FROM audited) a`;
      return result[0]?.inserted ?? 0;
    },

    /**
     * Metrics of many runs at once (for DataLoader), optionally narrowed to one benchmark/name;
     * each run's points together, ordered by benchmark, name and step (one index lookup per
     * run, perRunSql).
     */
    findForRuns: (runIds: readonly string[], filter: { benchmarkId?: string | null; name?: string | null }): Promise<MetricPoint[]> => {
      const where: Prisma.Sql[] = [Prisma.sql`true`];
      if (filter.benchmarkId !== undefined) where.push(filter.benchmarkId === null ? Prisma.sql`m.benchmark_id IS NULL` : Prisma.sql`m.benchmark_id = ${filter.benchmarkId}::uuid`);
      if (filter.name) where.push(Prisma.sql`m.name = ${filter.name}`);
      return prisma.$queryRaw<MetricPoint[]>`
        SELECT m.id::text AS id, m.run_id AS "runId", m.benchmark_id AS "benchmarkId", m.name, m.value, m.std, m.step,
               to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt"
        FROM ${perRunSql("metric", "m", runIds, Prisma.join(where, " AND "), Prisma.sql`m.benchmark_id, m.name, m.step`)}`;
    },

    /**
     * Every metric summary of the given runs (one row per run x metric, maintained by the
     * triggers on metric), ordered by benchmark and name like findForRuns: the runs table's
     * values without reading the histories. One index lookup per run (perRunSql).
     */
    summariesForRuns: (runIds: readonly string[]) =>
      prisma.$queryRaw<MetricSummaryRow[]>`
        SELECT s.run_id AS "runId", s.benchmark_id AS "benchmarkId", s.name,
               s.last_value AS last, s.last_std AS "lastStd", s.last_step AS "lastStep",
               s.min_value AS min, s.max_value AS max, s.sum / s.count AS mean, s.count
        FROM ${perRunSql("run_metric_summary", "s", runIds, Prisma.sql`true`, Prisma.sql`s.benchmark_id, s.name`)}`,

    /** One metric aggregated over steps for each of the given runs (runs without it are absent). */
    aggregateForRuns: (runIds: readonly string[], ref: MetricAggregateRef) =>
      prisma.$queryRaw<{ run_id: string; value: number }[]>(metricAggregateSql(ref, runIds)),

    curvesByRunIds: (runIds: readonly string[]) =>
      prisma.curve.findMany({ where: { runId: { in: [...runIds] } }, orderBy: [{ benchmarkId: "asc" }, { kind: "asc" }] }),

    upsertCurve: (data: { runId: string; benchmarkId: string | null; kind: string; points: Prisma.InputJsonValue }) =>
      prisma.$executeRaw`
        INSERT INTO curve (run_id, benchmark_id, kind, points)
        VALUES (${data.runId}::uuid, ${data.benchmarkId}::uuid, ${data.kind}, ${JSON.stringify(data.points)}::jsonb)
        ON CONFLICT (run_id, benchmark_id, kind) DO UPDATE SET points = EXCLUDED.points`,
  };
}

export type MetricsStore = ReturnType<typeof createMetricsStore>;
