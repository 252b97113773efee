// Data access for runs. Status changes and their event go out in one transaction
// (pg_notify is delivered only if the write commits).
import type { Db } from "../prisma";
import type { Prisma, Run } from "../../generated/prisma/client";
import type { RunKind, RunStatus } from "../../generated/prisma/enums";

/** One condition on a key of run.config (validated by the runs service). */
export interface ConfigCondition {
  key: string;
  eq?: unknown;
  in?: unknown[] | null;
  gt?: number | null;
  gte?: number | null;
  lt?: number | null;
  lte?: number | null;
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
}

/** A condition as Prisma JSON-path filters on `config #> {key}` (a range matches numbers only). */
function configWhere(c: ConfigCondition): Prisma.RunWhereInput[] {
  const path = [c.key];
  const where: Prisma.RunWhereInput[] = [];
  if (c.eq !== undefined && c.eq !== null) where.push({ config: { path, equals: c.eq as Prisma.InputJsonValue } });
  if (c.in) where.push({ OR: c.in.map((v) => ({ config: { path, equals: v as Prisma.InputJsonValue } })) });
  const range = { gt: c.gt, gte: c.gte, lt: c.lt, lte: c.lte };
  const bounds = Object.entries(range).filter(([, v]) => v != null) as [keyof typeof range, number][];
  if (bounds.length) {
    for (const [op, v] of bounds) where.push({ config: { path, [op]: v } as Prisma.JsonFilter<"Run"> });
  }
  return where;
}

export type RunOrderField = "createdAt" | "updatedAt";

export interface RunPageRequest {
  filter: RunListFilter;
  orderField: RunOrderField;
  direction: "asc" | "desc";
  first: number;
  /** Keyset position: the order value and id of the last row already seen. */
  after?: { value: Date; id: string };
}

function toWhere(filter: RunListFilter): Prisma.RunWhereInput {
  return {
    ...(filter.kind ? { kind: filter.kind } : {}),
    ...(filter.status?.length ? { status: { in: filter.status } } : {}),
    ...(filter.group != null ? { group: filter.group } : {}),
    ...(filter.datasetId ? { datasetId: filter.datasetId } : {}),
    ...(filter.transferMethodId ? { transferMethodId: filter.transferMethodId } : {}),
    ...(filter.published == null ? {} : { source: filter.published ? { not: null } : null }),
    ...(filter.archived === null ? {} : { archivedAt: filter.archived ? { not: null } : null }),
    ...(filter.tags?.length ? { tags: { hasEvery: filter.tags } } : {}),
    ...(filter.configKey ? { configKey: filter.configKey } : {}),
    ...(filter.config?.length ? { AND: filter.config.flatMap(configWhere) } : {}),
  };
}

export function createRunsStore(prisma: Db) {
  return {
    byIds: (ids: readonly string[]) => prisma.run.findMany({ where: { id: { in: [...ids] } } }),
    byId: (id: string) => prisma.run.findUnique({ where: { id } }),
    /** A QUEUED or RUNNING transfer that will register a dataset named `outputName`. */
    activeTransferTo: (outputName: string) =>
      prisma.run.findFirst({ where: { kind: "TRANSFER", status: { in: ["QUEUED", "RUNNING"] }, params: { path: ["outputName"], equals: outputName } } }),

    /** A page of runs; `countAll` counts every run matching the filter (only when asked). */
    async page(request: RunPageRequest): Promise<{ rows: Run[]; hasNextPage: boolean; countAll: () => Promise<number> }> {
      const where = toWhere(request.filter);
      const { orderField: field, direction, after } = request;
      const keyset: Prisma.RunWhereInput = after
        ? {
            OR: [
              { [field]: direction === "desc" ? { lt: after.value } : { gt: after.value } },
              { [field]: after.value, id: direction === "desc" ? { lt: after.id } : { gt: after.id } },
            ],
          }
        : {};
      const rows = await prisma.run.findMany({
        where: { AND: [where, keyset] },
        orderBy: [{ [field]: direction }, { id: direction }],
        take: request.first + 1,
      });
      return {
        rows: rows.slice(0, request.first),
        hasNextPage: rows.length > request.first,
        countAll: () => prisma.run.count({ where }),
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
