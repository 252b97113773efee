// graphile-worker keeps its own schema (graphile_worker.*) and migrates it
// itself; the API needs it even without an in-process worker, because launches
// enqueue with graphile_worker.add_job inside their transaction.
import { runMigrations } from "graphile-worker";

export async function installQueue(databaseUrl: string): Promise<void> {
  await runMigrations({ connectionString: databaseUrl, logger: undefined });
}
