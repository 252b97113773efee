// `tsx src/run-one.ts <runId>`: executes one QUEUED run in this process, with the
// local workers' code (claim, heartbeats, progress, log lines, metrics, the trainer,
// cancel), then exits. A Slurm job runs this (src/executors/slurm/). It reports
// through the API with the run's own token (API_URL + REALISMLAB_RUN_TOKEN), never
// the database, and reads data files from the filesystem it shares with the server
// (DATA_ROOTS). SIGTERM (scancel, time limit, preemption) puts the run back to
// QUEUED: the server's reconciler then reads Slurm's reason and fails or re-submits it.
import { ConfigError, loadConfig } from "./config/config";
import { executeRun, WorkerShuttingDown } from "./worker/execute-run";
import { createApiRunPort } from "./worker/ports/api-run-port";
import { sharedDataPaths } from "./worker/ports/shared-data-paths";
import { RUN_JOBS } from "./worker/worker";
import { workerIdentity } from "./worker/worker-identity";

const runId = process.argv[2] ?? "";
if (!/^[0-9a-f-]{36}$/.test(runId)) {
  console.error("usage: tsx src/run-one.ts <runId>   (env: API_URL, REALISMLAB_RUN_TOKEN, DATA_ROOTS)");
  process.exit(2);
}

try {
  const config = loadConfig();
  const token = process.env.REALISMLAB_RUN_TOKEN ?? "";
  const problems = [
    ...(config.apiUrl ? [] : ["API_URL: run-one reports to the API's GraphQL URL (http://.../graphql)"]),
    ...(/^[\x21-\x7e]{16,512}$/.test(token) ? [] : ["REALISMLAB_RUN_TOKEN: run-one needs the run's token (the executor sets it)"]),
  ];
  if (problems.length) throw new ConfigError(problems);
  const apiUrl = config.apiUrl!;
  const port = createApiRunPort({ apiUrl, token });
  const identity = workerIdentity();
  const shutdown = new AbortController();
  const stop = (signal: string) => shutdown.abort(new WorkerShuttingDown(`${signal} on ${identity.name}`));
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  console.log(`run-one ${runId} on ${identity.name} (CUDA_VISIBLE_DEVICES=${process.env.CUDA_VISIBLE_DEVICES ?? ""}), reporting to ${apiUrl}`);
  await executeRun(
    {
      port,
      identity,
      jobs: RUN_JOBS,
      paths: sharedDataPaths(config.dataRoots),
      heartbeatIntervalMs: config.HEARTBEAT_INTERVAL_MS,
      systemMetricsIntervalMs: config.SYSTEM_METRICS_INTERVAL_MS,
      settings: {
        apiUrl,
        trainerKillGraceMs: config.TRAINER_KILL_GRACE_MS,
        trainerEnvAllow: config.TRAINER_ENV_ALLOW,
      },
      log: console.warn,
    },
    runId,
    shutdown.signal,
  );
  const settled = port.settled();
  console.log(`run-one ${runId}: ${settled ? `${settled.status}${settled.error ? `: ${settled.error}` : ""}` : "not settled here (not QUEUED, cancelled, or re-queued)"}`);
  process.exit(settled?.status === "SUCCEEDED" ? 0 : 1);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `run-one failed: ${(error as Error).message}`);
  process.exit(1);
}
