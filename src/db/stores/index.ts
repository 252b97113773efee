// All data access goes through these stores. `transaction` hands a callback the
// same stores bound to one database transaction.
import type { Db } from "../prisma";
import type { Prisma } from "../../generated/prisma/client";
import { createAuditStore } from "./audit-store";
import { createCatalogueStore } from "./catalogue-store";
import { createExecutorRunsStore } from "./executor-runs-store";
import { createHealthStore } from "./health-store";
import { createLeaderboardStore } from "./leaderboard-store";
import { createMetricsStore } from "./metrics-store";
import { createPipelinesStore } from "./pipelines-store";
import { createQualityStore } from "./quality-store";
import { createQueueStore } from "./queue-store";
import { createRunsStore } from "./runs-store";
import { createTokensStore } from "./tokens-store";
import { createTrainersStore } from "./trainers-store";
import { notifyStatement } from "../../events/publish";
import type { EventMap, Topic } from "../../events/topics";
import { isRetryableConflict } from "../../services/prisma-errors";

/**
 * How long a transaction may wait for a pool connection: a burst of writers
 * queues behind the pool rather than failing with P2028 after Prisma's 2 s default.
 */
const TRANSACTION_MAX_WAIT_MS = 60_000;
/** Deadlocks and serialization failures are retried this many times, with jittered backoff. */
const CONFLICT_RETRIES = 5;

export type TxClient = Parameters<Parameters<Db["$transaction"]>[0]>[0];

function bind(client: Db | TxClient) {
  const db = client as Db;
  const runs = createRunsStore(db);
  const queue = createQueueStore(db);
  const tokens = createTokensStore(db);
  const notify = <T extends Topic>(topic: T, payload: EventMap[T]) => notifyStatement(db, topic, payload);
  return {
    catalogue: createCatalogueStore(db),
    health: createHealthStore(db),
    executorRuns: createExecutorRunsStore(db),
    runs,
    metrics: createMetricsStore(db),
    queue,
    trainers: createTrainersStore(db),
    pipelines: createPipelinesStore(db),
    tokens,
    leaderboard: createLeaderboardStore(db),
    quality: createQualityStore(db),
    audit: createAuditStore(db),
    /** pg_notify inside this client's transaction: delivered only if it commits. */
    notify,
    /** Holds a Postgres advisory lock named `name` until this transaction ends (call inside `transaction`). */
    async lockUntilCommit(name: string): Promise<void> {
      await db.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${name}))`;
    },
    /** A launch: the QUEUED run, its job and its runUpdated event (call inside `transaction`). */
    async queueNewRun(data: Prisma.RunUncheckedCreateInput) {
      const run = await runs.create({ ...data, status: "QUEUED" });
      if (run.executor === "local") await queue.enqueueRun(run); // other executors submit after commit
      await notify("runUpdated", { runId: run.id, kind: run.kind, status: run.status, group: run.group });
      return run;
    },
    /** Back to the queue (worker shutting down, or lost with retries left), if still RUNNING. */
    async requeueRunningRun(runId: string, error: string) {
      const run = await runs.updateIfStatus(runId, "RUNNING", { status: "QUEUED", worker: null, error });
      if (!run) return null;
      // The lost attempt's trainer token dies with it; the next attempt gets its own.
      await tokens.revokeForRun(runId);
      if (run.executor === "local") await queue.enqueueRun(run); // other executors: their reconciler decides
      await notify("runUpdated", { runId: run.id, kind: run.kind, status: run.status, group: run.group });
      return run;
    },
  };
}

export type BoundStores = ReturnType<typeof bind>;

/** `work`, run again (whole) after a deadlock or serialization failure, with jittered backoff. */
async function retryingConflicts<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= CONFLICT_RETRIES || !isRetryableConflict(error)) throw error;
      await new Promise((r) => setTimeout(r, (10 << attempt) * (0.5 + Math.random())));
    }
  }
}

export function createStores(prisma: Db) {
  return {
    ...bind(prisma),
    /** `work` in one transaction; run again (whole) after a deadlock or serialization failure. */
    transaction<T>(work: (stores: BoundStores) => Promise<T>): Promise<T> {
      return retryingConflicts(() => prisma.$transaction((tx) => work(bind(tx)), { timeout: 30_000, maxWait: TRANSACTION_MAX_WAIT_MS }));
    },
    /**
     * One statement that is a transaction by itself (e.g. logMetrics' write, its audit and
     * event in one WITH), with the same retries as `transaction` and none of its round trips.
     */
    statement: retryingConflicts,
    /**
     * Runs `work` while holding a Postgres advisory lock named `name` (held by an
     * open transaction on one connection; `work` itself uses the other stores).
     */
    withLock<T>(name: string, work: () => Promise<T>): Promise<T> {
      return prisma.$transaction(
        async (tx) => {
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${name}))`;
          return work();
        },
        { timeout: 120_000, maxWait: 60_000 },
      );
    },
  };
}

export type Stores = ReturnType<typeof createStores>;
