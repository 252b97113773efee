// Data access for runs. Status changes and their event go out in one transaction
// (pg_notify is delivered only if the write commits).
import type { Db } from "../prisma";
import { Prisma, type Run } from "../../generated/prisma/client";
import type { RunStatus } from "../../generated/prisma/enums";
import { keysetSql, runWhereSql, sortSql, type RunListFilter, type RunSort } from "./run-list-sql";

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

export function createRunsStore(prisma: Db) {
  return {
    byIds: (ids: readonly string[]) => prisma.run.findMany({ where: { id: { in: [...ids] } } }),
    byId: (id: string) => prisma.run.findUnique({ where: { id } }),
    /** A QUEUED or RUNNING transfer that will register a dataset named `outputName`. */
    activeTransferTo: (outputName: string) =>
      prisma.run.findFirst({ where: { kind: "TRANSFER", status: { in: ["QUEUED", "RUNNING"] }, params: { path: ["outputName"], equals: outputName } } }),

    /**
     * A page of runs in the requested order (nulls last), each with its sort value for the
     * cursor; `countAll` counts every run matching the filter (only when asked).
     */
    async page(request: RunPageRequest): Promise<{ rows: Run[]; sortValues: Map<string, unknown>; hasNextPage: boolean; countAll: () => Promise<number> }> {
      const where = runWhereSql(request.filter);
      const { expression, type, join } = sortSql(request.sort);
      const dir = Prisma.raw(request.direction === "desc" ? "DESC" : "ASC");
      const keyset = request.after ? keysetSql(expression, type, request.direction, request.after) : Prisma.sql`true`;
      const found = await prisma.$queryRaw<{ id: string; sort_value: unknown }[]>`
        SELECT r.id, ${expression} AS sort_value FROM run r ${join}
        WHERE ${where} AND ${keyset}
        ORDER BY (${expression} IS NULL), ${expression} ${dir}, r.id ${dir}
        LIMIT ${request.first + 1}`;
      const ids = found.slice(0, request.first).map((r) => r.id);
      const byId = new Map((ids.length ? await prisma.run.findMany({ where: { id: { in: ids } } }) : []).map((run) => [run.id, run]));
      const rows = ids.flatMap((id) => byId.get(id) ?? []);
      return {
        rows,
        sortValues: new Map(found.map((r) => [r.id, sortValueJson(r.sort_value)])),
        hasNextPage: found.length > request.first,
        countAll: async () => Number((await prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM run r WHERE ${where}`)[0]!.n),
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
