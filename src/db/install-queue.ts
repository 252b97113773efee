// graphile-worker keeps its own schema (graphile_worker.*) and migrates it
// itself; the API needs it even without an in-process worker, because launches
// enqueue with graphile_worker.add_job inside their transaction. Processes that
// start together (API replicas, workers) take turns: its installer is not safe
// to run concurrently on a fresh database.
import { runMigrations } from "graphile-worker";
import { LOCKS, withAdvisoryLock } from "./advisory-lock";

export async function installQueue(databaseUrl: string): Promise<void> {
  await withAdvisoryLock(databaseUrl, LOCKS.queue, () => runMigrations({ connectionString: databaseUrl }));
}
