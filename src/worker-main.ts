// `npm run worker`: a queue worker alone (e.g. on a GPU machine), attached to the
// same database as the API through DATABASE_URL.
import { ConfigError, loadConfig } from "./config/config";
import { databaseLabel } from "./db/tool-database";
import { startEventBus } from "./events/event-bus";
import { startServices } from "./startup";
import { startStaleRunReaper } from "./worker/stale-run-reaper";
import { startConfiguredWorker } from "./worker/worker";

try {
  const config = loadConfig();
  if (!config.DATABASE_URL) throw new ConfigError(["DATABASE_URL: a standalone worker needs the API's database (postgresql://...)"]);
  // With the executor config, a pipeline advanced here queues its next runs where the API would.
  const apiUrl = config.apiUrl ?? `http://localhost:${config.PORT}/graphql`;
  const { db, services } = await startServices(config, { url: config.DATABASE_URL, label: databaseLabel(config) }, {
    max: config.WORKER_CONCURRENCY + 4,
    apiUrl: () => apiUrl,
    log: console.warn,
  });
  const events = await startEventBus(config.DATABASE_URL, console.warn);
  const reaper = startStaleRunReaper({ services, heartbeatTimeoutMs: config.HEARTBEAT_TIMEOUT_MS, log: console.warn });
  const worker = await startConfiguredWorker(config, {
    databaseUrl: config.DATABASE_URL,
    services,
    events,
    apiUrl: `http://localhost:${config.PORT}/graphql`,
    log: console.warn,
  });
  console.log(`worker ${worker.name} ready: takes ${worker.kinds.join(", ")} runs (concurrency ${config.WORKER_CONCURRENCY})`);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: no new jobs; checkpointing running ones back to the queue`);
    await worker.stop();
    reaper.stop();
    await events.close();
    await db.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `worker failed to start: ${(error as Error).message}`);
  process.exit(1);
}
