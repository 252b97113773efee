// Metric ingestion: validated, deduplicated within the batch (last point wins),
// written idempotently, announced with one metricLogged event per call.
import type { Stores } from "../db/stores";
import { notifyPayload } from "../events/publish";
import type { MetricRow } from "../db/stores/metrics-store";
import type { Prisma } from "../generated/prisma/client";
import { badInput, conflict } from "../errors";
import type { Actor } from "./actor";
import { isTerminal } from "./run-status";
import type { CatalogueService } from "./catalogue-service";
import type { RunsService } from "./runs-service";

export const MAX_POINTS_PER_CALL = 10_000;
/** Points listed one by one in an audit event; beyond that only counts and names. */
const AUDITED_POINTS = 100;

export interface MetricPointInput {
  name: string;
  value: number;
  std?: number | null;
  step?: number | null;
  benchmark?: string | null;
}

/** What an audit event records of a metric write before it is made: the count and the first points, [name, benchmarkId, step, value]. */
export function metricAuditPoints(rows: readonly MetricRow[]): { points: number; values: Prisma.InputJsonArray } {
  return { points: rows.length, values: rows.slice(0, AUDITED_POINTS).map((r) => [r.name, r.benchmarkId, r.step, r.value]) };
}

/** What an audit event records of a metric write: counts and the first points (see metricAuditPoints). */
export function metricAuditChanges(rows: readonly MetricRow[], inserted: number): Prisma.InputJsonObject {
  return { ...metricAuditPoints(rows), inserted, overwritten: rows.length - inserted };
}

export function createMetricsService(stores: Stores, runs: RunsService, catalogue: CatalogueService) {
  return {
    /** Logs points into a run for `actor`; a finished run takes them only from ADMIN (audited like every call). */
    async log(runId: string, points: readonly MetricPointInput[], actor: Actor): Promise<{ received: number; inserted: number }> {
      if (points.length > MAX_POINTS_PER_CALL) {
        throw badInput("points", `at most ${MAX_POINTS_PER_CALL} points per call, got ${points.length}`);
      }
      // The run and the benchmark names are read at once (two round trips in parallel, not
      // one after the other); the run's errors still come first.
      const [found, benchmarks] = await Promise.allSettled([
        runs.require(runId),
        catalogue.benchmarkIdsByName("points.benchmark", points.flatMap((p) => (p.benchmark ? [p.benchmark] : []))),
      ]);
      if (found.status === "rejected") throw found.reason;
      const run = found.value;
      if (run.source) throw conflict(`run ${runId} holds published results; its metrics are not logged`);
      if (isTerminal(run.status) && !actor.admin) {
        throw conflict(`run ${runId} is ${run.status}: a finished run's results are append-protected; metrics are logged while it runs`);
      }
      if (benchmarks.status === "rejected") throw benchmarks.reason;
      const benchmarkIds = benchmarks.value;
      const rows = new Map<string, MetricRow>();
      points.forEach((point, index) => {
        const field = `points[${index}]`;
        const name = point.name.trim();
        if (!name || name.length > 200) throw badInput(`${field}.name`, "must be 1-200 characters");
        if (!Number.isFinite(point.value)) throw badInput(`${field}.value`, `must be a finite number, got ${point.value}`);
        if (point.std != null && !Number.isFinite(point.std)) throw badInput(`${field}.std`, "must be a finite number");
        const step = point.step ?? 0;
        if (!Number.isInteger(step) || step < 0) throw badInput(`${field}.step`, `must be a non-negative integer, got ${step}`);
        const benchmarkId = point.benchmark ? benchmarkIds.get(point.benchmark)! : null;
        rows.set(`${benchmarkId}\u0000${name}\u0000${step}`, {
          runId,
          benchmarkId,
          name,
          value: point.value,
          std: point.std ?? null,
          step,
        });
      });
      if (rows.size === 0) return { received: 0, inserted: 0 };
      const unique = [...rows.values()];
      // Points, audit event and metricLogged in one statement: atomic, one round trip.
      // The statement adds inserted and overwritten to the audited changes (metricAuditChanges' shape).
      const changes = metricAuditPoints(unique);
      const event = notifyPayload("metricLogged", { runId, count: unique.length, names: [...new Set(unique.map((r) => r.name))].slice(0, 50) });
      const inserted = await stores.statement(() =>
        stores.metrics.upsertAudited(unique, { runId, actor: actor.name, tokenId: actor.tokenId, action: "logMetrics", changes }, event),
      );
      return { received: points.length, inserted };
    },
  };
}
