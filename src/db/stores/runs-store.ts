// Data access for runs. Status changes and their event go out in one transaction
// (pg_notify is delivered only if the write commits).
import type { Db } from "../prisma";
import { Prisma, type Run } from "../../generated/prisma/client";
import type { RunStatus } from "../../generated/prisma/enums";
import { countTableWhereSql, keysetSql, runWhereSql, sortSql, type MetricAggregateRef, type RunListFilter, type RunSort, type SortSql } from "./run-list-sql";
import { isUuid, uuidsOf } from "./uuid";

/**
 * The summary value each value-ordered index holds (migrations 20261201130000_metric_value_order
 * and 20261203100000_metric_mean_order, whose expression this must match).
 */
const INDEXED_VALUE = { LAST: "s.last_value", MIN: "s.min_value", MAX: "s.max_value", MEAN: "(s.sum / NULLIF(s.count, 0))" } as const;

export type { ConfigCondition, MetricCondition, RunListFilter, RunSort } from "./run-list-sql";

export interface RunPageRequest {
  filter: RunListFilter;
  sort: RunSort;
  direction: "asc" | "desc";
  first: number;
  /** Keyset position: the sort value (JSON form) and id of the last row already seen. */
  after?: { value: unknown; id: string };
}

/** A page row's sort value in JSON form (what a cursor carries). */
function sortValueJson(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : (value ?? null);
}

type PageRow = { id: string; sort_value: unknown };

export function createRunsStore(prisma: Db) {
  /**
   * created/updated order: read the next rows off the (column, id) index in a bounded window
   * and filter those. The plan is the same whether or not Postgres has statistics yet
   * (right after bulk writes it would otherwise misjudge the filter and sort every run).
   * Null when the window did not fill the page (a selective filter): the planner decides then.
   */
  async function pageFromIndexWindow(request: RunPageRequest, where: Prisma.Sql, sort: SortSql): Promise<PageRow[] | null> {
    const window = (request.first + 1) * 4;
    const dir = Prisma.raw(request.direction === "desc" ? "DESC" : "ASC");
    const keyset = request.after ? keysetSql(sort, request.direction, request.after) : Prisma.sql`true`;
    const rows = await prisma.$queryRaw<(PageRow & { scanned: bigint })[]>`
      WITH w AS MATERIALIZED (
        SELECT r.* FROM run r WHERE ${keyset} ORDER BY ${sort.expression} ${dir}, r.id ${dir} LIMIT ${window}
      )
      SELECT r.id, ${sort.expression} AS sort_value, (SELECT count(*) FROM w) AS scanned FROM w r
      WHERE ${where} ORDER BY ${sort.expression} ${dir}, r.id ${dir} LIMIT ${request.first + 1}`;
    const scanned = Number(rows[0]?.scanned ?? -1);
    if (rows.length > request.first) return rows;
    // Fewer than a page: final only if the window reached the end of the runs.
    if (rows.length > 0 && scanned < window) return rows;
    const [{ n }] = rows.length ? [{ n: 0 }] : await prisma.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM (SELECT 1 FROM run r WHERE ${keyset} LIMIT ${window}) w`;
    return rows.length === 0 && n < window ? [] : null;
  }

  /**
   * Metric order: read the runs having the metric off the (benchmark, name, value, run)
   * index of run_metric_summary in a bounded window and filter those, as pageFromIndexWindow.
   * Null (the planner decides) past the last run with a value (the runs without one come
   * last), or when the window did not fill the page.
   */
  async function pageFromMetricIndex(request: RunPageRequest, where: Prisma.Sql, metric: MetricAggregateRef): Promise<PageRow[] | null> {
    if (request.after && request.after.value == null) return null;
    const column = Prisma.raw(INDEXED_VALUE[metric.aggregate]);
    const window = (request.first + 1) * 4;
    const dir = Prisma.raw(request.direction === "desc" ? "DESC" : "ASC");
    const op = Prisma.raw(request.direction === "desc" ? "<" : ">");
    const benchmark = metric.benchmarkId == null ? Prisma.sql`s.benchmark_id IS NULL` : Prisma.sql`s.benchmark_id = ${metric.benchmarkId}::uuid`;
    const keyset = request.after ? Prisma.sql`(${column}, s.run_id) ${op} (${request.after.value}::float8, ${request.after.id}::uuid)` : Prisma.sql`true`;
    const query = Prisma.sql`
      WITH w AS MATERIALIZED (
        SELECT s.run_id, ${column} AS value FROM run_metric_summary s
        WHERE ${benchmark} AND s.name = ${metric.name} AND ${keyset}
        ORDER BY ${column} ${dir}, s.run_id ${dir} LIMIT ${window}
      )
      SELECT r.id, w.value AS sort_value, (SELECT count(*) FROM w) AS scanned
      FROM w CROSS JOIN LATERAL (SELECT * FROM run r WHERE r.id = w.run_id) r
      WHERE ${where} ORDER BY w.value ${dir}, r.id ${dir} LIMIT ${request.first + 1}`;
    // Without statistics (right after bulk writes) the planner guesses a handful of rows per
    // metric and reads them all into a sort; for this statement only, bitmap scans and sorts
    // are priced out so the window walks the value-ordered index (SET LOCAL: ends with the
    // transaction). Inside a store transaction (no $transaction) the query runs as planned:
    // the settings would outlive this statement there.
    const priceOutSorts = Prisma.sql`SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true)`;
    const rows =
      typeof prisma.$transaction === "function"
        ? (await prisma.$transaction([prisma.$queryRaw(priceOutSorts), prisma.$queryRaw<(PageRow & { scanned: bigint })[]>(query)]))[1]
        : await prisma.$queryRaw<(PageRow & { scanned: bigint })[]>(query);
    // A full page, with one more row to tell that another page follows: final.
    return rows.length > request.first ? rows : null;
  }

  async function pageByPlanner(request: RunPageRequest, where: Prisma.Sql, sort: SortSql): Promise<PageRow[]> {
    const dir = Prisma.raw(request.direction === "desc" ? "DESC" : "ASC");
    const keyset = request.after ? keysetSql(sort, request.direction, request.after) : Prisma.sql`true`;
    const nullsLast = sort.notNull ? Prisma.empty : Prisma.sql`(${sort.expression} IS NULL),`;
    return prisma.$queryRaw<PageRow[]>`
      SELECT r.id, ${sort.expression} AS sort_value FROM run r ${sort.join}
      WHERE ${where} AND ${keyset}
      ORDER BY ${nullsLast} ${sort.expression} ${dir}, r.id ${dir}
      LIMIT ${request.first + 1}`;
  }

  return {
    byIds: (ids: readonly string[]) => prisma.run.findMany({ where: { id: { in: uuidsOf(ids) } } }),
    byId: async (id: string) => (isUuid(id) ? prisma.run.findUnique({ where: { id } }) : null),
    /** A QUEUED or RUNNING transfer that will register a dataset named `outputName`. */
    activeTransferTo: (outputName: string) =>
      prisma.run.findFirst({ where: { kind: "TRANSFER", status: { in: ["QUEUED", "RUNNING"] }, params: { path: ["outputName"], equals: outputName } } }),

    /**
     * A page of runs in the requested order (nulls last), each with its sort value for the
     * cursor; `countAll` counts every run matching the filter (only when asked).
     */
    async page(request: RunPageRequest): Promise<{ rows: Run[]; sortValues: Map<string, unknown>; hasNextPage: boolean; countAll: () => Promise<number> }> {
      const where = runWhereSql(request.filter);
      const sort = sortSql(request.sort);
      const fromIndex =
        request.sort.kind === "metric"
          ? await pageFromMetricIndex(request, where, request.sort.metric)
          : sort.notNull
            ? await pageFromIndexWindow(request, where, sort)
            : null;
      const found = fromIndex ?? (await pageByPlanner(request, where, sort));
      const ids = found.slice(0, request.first).map((r) => r.id);
      const byId = new Map((ids.length ? await prisma.run.findMany({ where: { id: { in: ids } } }) : []).map((run) => [run.id, run]));
      const rows = ids.flatMap((id) => byId.get(id) ?? []);
      const counted = countTableWhereSql(request.filter);
      return {
        rows,
        sortValues: new Map(found.map((r) => [r.id, sortValueJson(r.sort_value)])),
        hasNextPage: found.length > request.first,
        countAll: async () =>
          Number(
            counted
              ? (await prisma.$queryRaw<{ n: bigint | null }[]>`SELECT sum(c.runs)::bigint AS n FROM run_count c WHERE ${counted}`)[0]!.n ?? 0
              : (await prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM run r WHERE ${where}`)[0]!.n,
          ),
      };
    },

    create: (data: Prisma.RunUncheckedCreateInput) => prisma.run.create({ data }),
    createMany: (data: Prisma.RunUncheckedCreateInput[]) => prisma.run.createManyAndReturn({ data }),

    /** Updates a run only while its status is still `expectedStatus` (optimistic check). */
    async updateIfStatus(id: string, expectedStatus: RunStatus, data: Prisma.RunUncheckedUpdateInput) {
      const { count } = await prisma.run.updateMany({ where: { id, status: expectedStatus }, data });
      return count === 1 ? prisma.run.findUnique({ where: { id } }) : null;
    },

    /** Progress columns of a RUNNING run (and its heartbeat); false once it is no longer RUNNING. */
    async writeProgress(id: string, data: Prisma.RunUncheckedUpdateInput): Promise<boolean> {
      const { count } = await prisma.run.updateMany({ where: { id, status: "RUNNING" }, data: { ...data, heartbeatAt: new Date() } });
      return count === 1;
    },

    /** Records (or clears, with null) the process group of a run's trainer and its host. */
    recordProcess: (id: string, processGroup: number | null, processHost: string | null) =>
      prisma.run.updateMany({ where: { id }, data: { processGroup, processHost } }),

    /** Statuses of the given runs (cheap polling for cancellation). */
    statusOf: async (id: string) => (await prisma.run.findUnique({ where: { id }, select: { status: true } }))?.status ?? null,

    /** Launched runs whose worker stopped heartbeating before `cutoff`. */
    findStaleRunning: (cutoff: Date) =>
      prisma.run.findMany({ where: { status: "RUNNING", worker: { not: null }, heartbeatAt: { lt: cutoff } } }),

    /**
     * Adds and removes tags in one statement (no lost update between two writers),
     * keeping first-seen order. Null when the run does not exist; `tooMany` when
     * the result would exceed `max` tags (nothing is written then).
     */
    async changeTags(id: string, add: string[], remove: string[], max: number): Promise<{ run: Run | null; tooMany: boolean }> {
      const updated = await prisma.$queryRaw<{ id: string }[]>`
        WITH next AS (
          SELECT r.id, ARRAY(
            SELECT u.tag FROM unnest(r.tags || ${add}::text[]) WITH ORDINALITY AS u(tag, i)
            WHERE u.tag <> ALL(${remove}::text[])
            GROUP BY u.tag ORDER BY min(u.i)
          ) AS tags
          FROM run r WHERE r.id = ${id}::uuid
        )
        UPDATE run SET tags = next.tags, updated_at = now()
        FROM next WHERE run.id = next.id AND cardinality(next.tags) <= ${max}
        RETURNING run.id`;
      const run = await prisma.run.findUnique({ where: { id } });
      return { run, tooMany: run != null && updated.length === 0 };
    },

    /** Null when the run does not exist. */
    async updateAnnotations(id: string, data: Pick<Prisma.RunUncheckedUpdateInput, "notes" | "archivedAt">) {
      const { count } = await prisma.run.updateMany({ where: { id }, data });
      return count === 1 ? prisma.run.findUnique({ where: { id } }) : null;
    },

    findPublished: (source: string, datasetId: string, transferMethodId: string | null) =>
      prisma.run.findFirst({ where: { source, datasetId, transferMethodId } }),
  };
}

export type RunsStore = ReturnType<typeof createRunsStore>;
