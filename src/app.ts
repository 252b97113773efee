// Composes one RealismLab process: database (embedded or DATABASE_URL), pending
// migrations, catalogue seed, event bus, services, HTTP + WebSocket server.
// `stop()` drains in reverse order.
import path from "node:path";
import type { AppConfig } from "./config/config";
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedDatabase } from "./db/embedded-postgres";
import { databaseLabel } from "./db/tool-database";
import { startServices } from "./startup";
import { LOCKS, withAdvisoryLock } from "./db/advisory-lock";
import { startEventBus, type EventBus } from "./events/event-bus";
import { startHttpServer, type RunningHttpServer } from "./server/http-server";
import { mountDashboard } from "./server/dashboard-routes";
import { mountLeaderboardRoutes } from "./server/leaderboard-routes";
import type { Services } from "./services";
import { seedCatalogue } from "./services/catalogue-seed";
import { startStaleRunReaper } from "./worker/stale-run-reaper";
import { startConfiguredWorker } from "./worker/worker";
import type { RunKindModule } from "./kinds/kind";
import { checkExecutorKinds, createKindRegistry, workerKinds } from "./kinds/registry";

export interface RunningApp {
  http: RunningHttpServer;
  services: Services;
  events: EventBus;
  databaseUrl: string;
  stop(): Promise<void>;
}

export interface AppLogger {
  info(message: string): void;
  warn(message: string): void;
}

const quiet: AppLogger = { info: () => {}, warn: () => {} };

/** The database to use: DATABASE_URL, or an embedded cluster under the data folder. */
export async function resolveDatabase(config: AppConfig, log: AppLogger, onDatabaseLost?: (error: Error) => void) {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, embedded: null as EmbeddedDatabase | null };
  const dir = path.join(config.dataDir, "postgres");
  log.info(`starting embedded PostgreSQL (data in ${dir})`);
  const embedded = await startEmbeddedPostgres(dir, { notice: log.warn, ...(onDatabaseLost ? { onFatal: onDatabaseLost } : {}) });
  return { url: await ensureDatabase(embedded, "realismlab"), embedded };
}

export interface AppOptions {
  /** Observe every SQL statement sent through Prisma (diagnostics and tests). */
  onDatabaseQuery?: (sql: string) => void;
  /** The embedded Postgres stopped and could not be restarted (`npm start` exits non-zero). */
  onDatabaseLost?: (error: Error) => void;
  /** Run kinds beside the built-in ones (src/kinds): their launches, API enum value and worker jobs. */
  kinds?: readonly RunKindModule[];
}

export async function startApp(config: AppConfig, log: AppLogger = quiet, options: AppOptions = {}): Promise<RunningApp> {
  const stack: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const step of stack.reverse()) await step().catch((e) => log.warn(`shutdown: ${(e as Error).message}`));
  };
  try {
    const kinds = createKindRegistry(options.kinds);
    if (config.WORKER_IN_PROCESS) workerKinds(config.WORKER_KINDS, kinds); // a bad WORKER_KINDS fails before anything starts
    checkExecutorKinds(Object.keys(config.executorByKind), kinds);
    const database = await resolveDatabase(config, log, options.onDatabaseLost);
    if (database.embedded) stack.push(() => database.embedded!.stop());
    let ownGraphqlUrl = "";
    const { db, stores, services, applied } = await startServices(config, { url: database.url, label: databaseLabel(config) }, {
      onQuery: options.onDatabaseQuery,
      apiUrl: () => config.apiUrl ?? ownGraphqlUrl,
      log: log.warn,
    }, kinds);
    stack.push(() => db.close());
    if (applied.length) log.info(`applied migrations: ${applied.join(", ")}`);
    const seeded = await withAdvisoryLock(database.url, LOCKS.seed, () => seedCatalogue(stores, services));
    if (seeded.runsCreated) log.info(`seeded the catalogue and ${seeded.runsCreated} published results`);

    const events = await startEventBus(database.url, log.warn);
    stack.push(() => events.close());
    const reaper = startStaleRunReaper({ services, heartbeatTimeoutMs: config.HEARTBEAT_TIMEOUT_MS, log: log.warn });
    stack.push(async () => reaper.stop());
    const http = await startHttpServer({
      host: config.HOST,
      port: config.PORT,
      services,
      events,
      limits: {
        maxDepth: config.MAX_QUERY_DEPTH,
        maxCost: config.MAX_QUERY_COST,
        maxAliases: config.MAX_QUERY_ALIASES,
        introspection: config.INTROSPECTION,
      },
      compileQueriesAfter: config.GRAPHQL_COMPILE_AFTER === "off" ? null : config.GRAPHQL_COMPILE_AFTER,
      websocket: {
        maxConnectionsPerClient: config.MAX_WS_CONNECTIONS_PER_CLIENT,
        maxSubscriptionsPerConnection: config.MAX_SUBSCRIPTIONS_PER_CONNECTION,
      },
      checkDatabase: () => stores.health.ping(),
      mount: (app) => {
        mountLeaderboardRoutes(app, services);
        mountDashboard(app, services); // web/dist + SPA fallback last: it answers only page paths
      },
    });
    stack.push(() => http.close());
    ownGraphqlUrl = http.graphqlUrl;
    // Slurm (or other remote) runs: reconciled now, since the API may have restarted under them, and every poll.
    services.executors.start();
    stack.push(async () => services.executors.stop());
    if (config.WORKER_IN_PROCESS) {
      const worker = await startConfiguredWorker(config, { databaseUrl: database.url, services, events, apiUrl: http.graphqlUrl, log: log.warn });
      // Stopped first on shutdown: running jobs are checkpointed back to the queue.
      stack.push(() => worker.stop());
      log.info(`worker ${worker.name} takes ${worker.kinds.join(", ")} runs (concurrency ${config.WORKER_CONCURRENCY})`);
    }
    return { http, services, events, databaseUrl: database.url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
