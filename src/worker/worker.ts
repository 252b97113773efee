// A queue worker (graphile-worker over the same Postgres): takes the jobs of the
// run kinds it is configured for, `concurrency` at a time, and runs them with
// executeRun over the database run ports. Inside the API process by default;
// alone with `npm run worker`.
import { run as runGraphileWorker, type Logger as GraphileLogger, Logger } from "graphile-worker";
import pg from "pg";
import type { AppConfig } from "../config/config";
import type { RunKind } from "../domain/run-kind";
import { runTaskIdentifier, type RunJobPayload } from "../db/stores/queue-store";
import type { EventBus } from "../events/event-bus";
import type { Services } from "../services";
import { runTokenMinter } from "../services/auth-service";
import { executeRun, type ExecuteRunDeps } from "./execute-run";
import type { JobSettings } from "./jobs/job";
import { createKindRegistry, jobsByKind, workerKinds, type KindRegistry } from "../kinds/registry";
import { createDatabaseRunPort } from "./ports/database-run-port";
import { workerIdentity } from "./worker-identity";

/** The jobs of the built-in kinds (src/kinds/registry.ts), for processes without extra kinds. */
export const RUN_JOBS = jobsByKind(createKindRegistry());

export interface WorkerOptions {
  databaseUrl: string;
  services: Services;
  events: EventBus;
  /** The kinds this worker takes (each must have a job in `registry`). */
  kinds: RunKind[];
  /** Where the jobs come from: the run kinds of this process. */
  registry: KindRegistry;
  concurrency: number;
  heartbeatIntervalMs: number;
  /** How often a running job samples CPU, memory and GPUs into its run's metrics (0 = off). */
  systemMetricsIntervalMs?: number;
  settings: JobSettings;
  /** Mints a token limited to one run, for its trainer. */
  runToken?: (runId: string) => Promise<string>;
  log: (message: string) => void;
}

export interface RunningWorker {
  name: string;
  /** The run kinds it takes. */
  kinds: RunKind[];
  /** Stops taking jobs; running jobs are checkpointed back to the queue. */
  stop(): Promise<void>;
}

function quietLogger(log: (message: string) => void): GraphileLogger {
  return new Logger(() => (level, message) => {
    if (level === "error" || level === "warning") log(`queue: ${message}`);
  });
}

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const identity = workerIdentity();
  const shutdown = new AbortController();
  const deps: ExecuteRunDeps = {
    port: createDatabaseRunPort({
      services: options.services,
      events: options.events,
      identity,
      ...(options.runToken ? { runToken: options.runToken } : {}),
    }),
    identity,
    jobs: jobsByKind(options.registry),
    settings: options.settings,
    paths: options.services.dataPaths,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    ...(options.systemMetricsIntervalMs != null ? { systemMetricsIntervalMs: options.systemMetricsIntervalMs } : {}),
    log: options.log,
  };
  const kinds = options.kinds.filter((kind) => deps.jobs[kind]);
  const taskList = Object.fromEntries(
    kinds.map((kind) => [runTaskIdentifier(kind), (payload: unknown) => executeRun(deps, (payload as RunJobPayload).runId, shutdown.signal)]),
  );
  // Our own pool, so a connection dropped by Postgres (restart, shutdown) is logged
  // rather than crashing the process as an unhandled 'error' event.
  const pgPool = new pg.Pool({ connectionString: options.databaseUrl, max: options.concurrency + 2 });
  pgPool.on("error", (error) => options.log(`queue connection: ${error.message}`));
  const runner = await runGraphileWorker({
    pgPool,
    concurrency: options.concurrency,
    noHandleSignals: true,
    pollInterval: 2_000,
    taskList,
    logger: quietLogger(options.log),
  });
  return {
    name: identity.name,
    kinds,
    async stop() {
      shutdown.abort();
      await runner.stop();
      await pgPool.end();
    },
  };
}

/** A worker as configured by the environment (in the API process or alone). */
export function startConfiguredWorker(
  config: AppConfig,
  deps: { databaseUrl: string; services: Services; events: EventBus; apiUrl: string; log: (message: string) => void },
): Promise<RunningWorker> {
  return startWorker({
    databaseUrl: deps.databaseUrl,
    services: deps.services,
    events: deps.events,
    kinds: workerKinds(config.WORKER_KINDS, deps.services.kinds),
    registry: deps.services.kinds,
    concurrency: config.WORKER_CONCURRENCY,
    heartbeatIntervalMs: config.HEARTBEAT_INTERVAL_MS,
    systemMetricsIntervalMs: config.SYSTEM_METRICS_INTERVAL_MS,
    settings: {
      apiUrl: config.apiUrl ?? deps.apiUrl,
      trainerKillGraceMs: config.TRAINER_KILL_GRACE_MS,
      trainerEnvAllow: config.TRAINER_ENV_ALLOW,
    },
    runToken: runTokenMinter(deps.services.auth, config.TRAINER_TOKEN_HOURS),
    log: deps.log,
  });
}
