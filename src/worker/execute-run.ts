// One queued run, start to finish: claim it (QUEUED -> RUNNING with worker, device,
// heartbeat), supervise it, run its job with narrow inputs, and settle it: its
// outcome recorded with SUCCEEDED in one transaction, FAILED with the error, back
// to QUEUED when the worker shuts down (outputs written so far are kept and skipped
// on resume), or left alone when a user cancelled it. Everything goes through a
// RunPort: the database for local workers, the API for a remote job (run-one).
import type { DataPaths } from "../services/data-paths";
import { abandonOnAbort } from "./abandon-on-abort";
import type { JobSettings, RunJob } from "./jobs/job";
import { createLogWriter } from "./log-writer";
import { throttleProgress } from "./progress-reporter";
import type { RunPort } from "./run-port";
import { RunNoLongerRunning, superviseRun } from "./run-supervisor";
import { startSystemMetrics, type GpuQuery } from "./system-metrics";
import type { WorkerIdentity } from "./worker-identity";

const ABANDON_MARGIN_MS = 2_000;

export class WorkerShuttingDown extends Error {
  override name = "WorkerShuttingDown";
}

export interface ExecuteRunDeps {
  port: RunPort;
  identity: WorkerIdentity;
  /** The job of each run kind this worker takes. */
  jobs: Partial<Record<string, RunJob>>;
  settings: JobSettings;
  /** The data roots as this machine sees them. */
  paths: DataPaths;
  heartbeatIntervalMs: number;
  progressIntervalMs?: number;
  /** System metrics sampling (SYSTEM_METRICS_INTERVAL_MS; 0 = off); gpuQuery replaces nvidia-smi in tests. */
  systemMetricsIntervalMs?: number;
  gpuQuery?: GpuQuery;
  log: (message: string) => void;
}

function errorMessage(error: unknown): string {
  const message = (error as Error)?.message ?? String(error);
  return message.length > 2_000 ? `${message.slice(0, 2_000)}…` : message;
}

export async function executeRun(deps: ExecuteRunDeps, runId: string, shutdown: AbortSignal): Promise<void> {
  const { port } = deps;
  const run = await port.claim(runId, deps.identity);
  if (!run) return;
  const controller = new AbortController();
  const onShutdown = () => controller.abort(new WorkerShuttingDown(`worker ${deps.identity.name} is shutting down`));
  if (shutdown.aborted) onShutdown();
  shutdown.addEventListener("abort", onShutdown, { once: true });
  const progress = throttleProgress((columns) => port.heartbeat(run.id, columns), deps.progressIntervalMs, `run ${run.id}`);
  const log = createLogWriter((lines) => port.appendLog(run.id, lines), `run ${run.id}`);
  const supervisor = superviseRun({ port, runId: run.id, controller, heartbeatIntervalMs: deps.heartbeatIntervalMs });
  const systemMetrics = startSystemMetrics({
    intervalMs: deps.systemMetricsIntervalMs ?? 0,
    ...(deps.gpuQuery ? { gpu: deps.gpuQuery } : {}),
    write: (points, step) => port.logMetrics(run.id, points.map((p) => ({ ...p, step }))),
    log: deps.log,
  });
  const settled = (what: string) => (error: unknown) => deps.log(`run ${run.id}: not ${what}: ${errorMessage(error)}`);

  try {
    const job = deps.jobs[run.kind];
    if (!job) throw new Error(`this worker has no job for ${run.kind} runs`);
    // A trainer gets its kill grace first; any job then has a little more before it is abandoned.
    const abandonAfterMs = deps.settings.trainerKillGraceMs + ABANDON_MARGIN_MS;
    const outcome = await abandonOnAbort(
      job({
        run,
        signal: controller.signal,
        progress,
        log,
        logMetrics: (points) => port.logMetrics(run.id, points),
        recordProcess: (group, host) => port.recordProcess(run.id, group, host),
        runToken: async () => port.runToken?.(run.id),
        lookups: port.lookups,
        paths: deps.paths,
        settings: deps.settings,
      }),
      controller.signal,
      abandonAfterMs,
    );
    await progress.flush();
    await log.close();
    // A failing write here (an invalid outcome, a name taken meanwhile) writes nothing and fails the run below.
    await port.finish(run.id, outcome);
  } catch (error) {
    await progress.flush();
    await log.close();
    const reason = controller.signal.reason;
    if (reason instanceof RunNoLongerRunning) {
      deps.log(`run ${run.id} stopped: ${reason.message}`);
    } else if (reason instanceof WorkerShuttingDown) {
      // Checkpoint: back to the queue; a worker resumes it, skipping finished outputs.
      await port.requeue(run.id, reason.message).catch(settled("re-queued"));
    } else {
      await port.fail(run.id, errorMessage(error)).catch(settled("failed"));
    }
  } finally {
    systemMetrics.stop();
    supervisor.stop();
    shutdown.removeEventListener("abort", onShutdown);
  }
}
