// The executor columns of runs: the runs an executor follows, and its job id,
// node and reason on them (src/executors/).
import type { Db } from "../prisma";

export function createExecutorRunsStore(prisma: Db) {
  return {
    /** QUEUED and RUNNING runs of one executor. */
    active: (executor: string) =>
      prisma.run.findMany({ where: { executor, status: { in: ["QUEUED", "RUNNING"] } }, orderBy: { createdAt: "asc" }, take: 10_000 }),
    /** Finished runs of one executor among `ids` (their jobs should not run any more). */
    finishedAmong: (executor: string, ids: string[]) =>
      prisma.run.findMany({ where: { executor, id: { in: ids }, status: { in: ["SUCCEEDED", "FAILED", "CANCELLED"] } }, select: { id: true, executorJobId: true, status: true, finishedAt: true } }),
    /** Claims a QUEUED run without a job for submission (false: someone else has it, or it changed). */
    async claimForSubmit(id: string, marker: string): Promise<boolean> {
      const { count } = await prisma.run.updateMany({ where: { id, status: "QUEUED", executorJobId: null }, data: { executorJobId: marker } });
      return count === 1;
    },
    /** Records what the executor says about a run's job. */
    recordJob: (id: string, data: { executorJobId?: string | null; executorNode?: string | null; executorReason?: string | null; executorLogOffset?: number }) =>
      prisma.run.updateMany({ where: { id }, data }),
    /** Runs of one executor that ended since `since` with a job whose output may be unread. */
    endedSince: (executor: string, since: Date, belowOffset: number) =>
      prisma.run.findMany({
        where: { executor, status: { in: ["SUCCEEDED", "FAILED", "CANCELLED"] }, finishedAt: { gte: since }, executorJobId: { not: null }, executorLogOffset: { lt: belowOffset } },
        orderBy: { finishedAt: "asc" },
        take: 200,
      }),
    /** Moves a run's output offset from `from` to `to` (false: another process read those bytes first). */
    async advanceLogOffset(id: string, from: number, to: number): Promise<boolean> {
      const { count } = await prisma.run.updateMany({ where: { id, executorLogOffset: from }, data: { executorLogOffset: to } });
      return count === 1;
    },
  };
}

export type ExecutorRunsStore = ReturnType<typeof createExecutorRunsStore>;
