// `npm run worker`: a queue worker alone (e.g. on a GPU machine), attached to the
// same database as the API through DATABASE_URL.
import { ConfigError, loadConfig } from "./config/config";
import { migrate } from "./db/migrate";
import { installQueue } from "./db/install-queue";
import { openDatabase } from "./db/prisma";
import { createStores } from "./db/stores";
import { startEventBus } from "./events/event-bus";
import { createConfiguredServices } from "./services/configured-services";
import { startStaleRunReaper } from "./worker/stale-run-reaper";
import { startConfiguredWorker } from "./worker/worker";

try {
  const config = loadConfig();
  if (!config.DATABASE_URL) throw new ConfigError(["DATABASE_URL: a standalone worker needs the API's database (postgresql://...)"]);
  await migrate(config.DATABASE_URL);
  await installQueue(config.DATABASE_URL);
  const db = openDatabase(config.DATABASE_URL, { max: config.WORKER_CONCURRENCY + 4 });
  // With the executor config, a pipeline advanced here queues its next runs where the API would.
  const apiUrl = config.apiUrl ?? `http://localhost:${config.PORT}/graphql`;
  const services = createConfiguredServices(config, createStores(db.prisma), { url: config.DATABASE_URL, apiUrl: () => apiUrl, log: console.warn });
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
