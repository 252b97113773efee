// `tsx src/run-one.ts <runId>`: executes one QUEUED run in this process, with the
// local workers' code (claim, heartbeats, progress, metrics, the trainer and its
// run token, cancel), then exits. A Slurm job runs this (src/executors/slurm/);
// it reaches the same database and API as the server (DATABASE_URL, API_URL).
// SIGTERM (scancel, time limit, preemption) puts the run back to QUEUED: the
// server's reconciler then reads Slurm's reason and fails or re-submits it.
import { ConfigError, loadConfig } from "./config/config";
import { openDatabase } from "./db/prisma";
import { createStores } from "./db/stores";
import { startEventBus } from "./events/event-bus";
import { createConfiguredServices } from "./services/configured-services";
import { executeRun, WorkerShuttingDown } from "./worker/execute-run";
import { RUN_JOBS, runTokenMinter } from "./worker/worker";
import { workerIdentity } from "./worker/worker-identity";

const runId = process.argv[2] ?? "";
if (!/^[0-9a-f-]{36}$/.test(runId)) {
  console.error("usage: tsx src/run-one.ts <runId>");
  process.exit(2);
}

try {
  const config = loadConfig();
  if (!config.DATABASE_URL) throw new ConfigError(["DATABASE_URL: run-one needs the API's database (postgresql://...)"]);
  if (!config.apiUrl) throw new ConfigError(["API_URL: run-one hands the API's GraphQL URL to trainers"]);
  const db = openDatabase(config.DATABASE_URL, { max: 4 });
  // With the executor config, a pipeline advanced here queues its next runs where the API would.
  const apiUrl = config.apiUrl;
  const services = createConfiguredServices(config, createStores(db.prisma), { url: config.DATABASE_URL, apiUrl: () => apiUrl, log: console.warn });
  const events = await startEventBus(config.DATABASE_URL, console.warn);
  const identity = workerIdentity();
  const shutdown = new AbortController();
  const stop = (signal: string) => shutdown.abort(new WorkerShuttingDown(`${signal} on ${identity.name}`));
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  console.log(`run-one ${runId} on ${identity.name} (CUDA_VISIBLE_DEVICES=${process.env.CUDA_VISIBLE_DEVICES ?? ""})`);
  await executeRun(
    {
      services,
      events,
      identity,
      jobs: RUN_JOBS,
      heartbeatIntervalMs: config.HEARTBEAT_INTERVAL_MS,
      settings: {
        apiUrl: config.apiUrl,
        trainerKillGraceMs: config.TRAINER_KILL_GRACE_MS,
        trainerEnvAllow: config.TRAINER_ENV_ALLOW,
        runToken: runTokenMinter(services, config.TRAINER_TOKEN_HOURS),
      },
      log: console.warn,
    },
    runId,
    shutdown.signal,
  );
  const [run] = await services.stores.runs.byIds([runId]);
  console.log(`run-one ${runId}: ${run?.status ?? "gone"}${run?.error ? `: ${run.error}` : ""}`);
  await events.close();
  await db.close();
  process.exit(run?.status === "SUCCEEDED" ? 0 : 1);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `run-one failed: ${(error as Error).message}`);
  process.exit(1);
}
