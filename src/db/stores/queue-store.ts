// The job queue is graphile-worker's schema in the same database, so a launch
// can write its run rows and enqueue their jobs in one transaction.
import type { Db } from "../prisma";
import type { RunKind } from "../../domain/run-kind";

/** One task identifier per run kind, so a worker takes only the kinds it lists. */
export function runTaskIdentifier(kind: RunKind): string {
  return `run:${kind}`;
}

export interface RunJobPayload {
  runId: string;
}

export function createQueueStore(prisma: Db) {
  return {
    /** Enqueues (or re-enqueues) the job of a run; the run id is the job key. */
    enqueueRun: (run: { id: string; kind: RunKind }) => {
      const payload: RunJobPayload = { runId: run.id };
      // max_attempts 1: retries are our policy (Run.maxAttempts), decided by the reaper.
      return prisma.$executeRaw`SELECT graphile_worker.add_job(
        ${runTaskIdentifier(run.kind)}, ${JSON.stringify(payload)}::json,
        max_attempts => 1, job_key => ${run.id}, job_key_mode => 'replace')`;
    },
    /** Removes a run's job if no worker holds it yet. */
    removeQueuedRun: (runId: string) => prisma.$executeRaw`SELECT graphile_worker.remove_job(${runId})`,
  };
}

export type QueueStore = ReturnType<typeof createQueueStore>;
