// One queued run, start to finish, on this worker: claim it (QUEUED -> RUNNING
// with worker, device, heartbeat), supervise it, run its job, and settle it:
// SUCCEEDED, FAILED with the error, back to QUEUED when the worker shuts down
// (outputs written so far are kept and skipped on resume), or left alone when a
// user cancelled it.
import type { Prisma, Run } from "../generated/prisma/client";
import type { EventBus } from "../events/event-bus";
import type { Services } from "../services";
import { workerActor } from "../services/actor";
import { isTerminal } from "../services/run-status";
import { abandonOnAbort } from "./abandon-on-abort";
import type { JobSettings, RunJob } from "./jobs/job";
import { createProgressReporter } from "./progress-reporter";
import { RunNoLongerRunning, superviseRun } from "./run-supervisor";
import { startSystemMetrics, type GpuQuery } from "./system-metrics";
import type { WorkerIdentity } from "./worker-identity";

const ABANDON_MARGIN_MS = 2_000;

export class WorkerShuttingDown extends Error {
  override name = "WorkerShuttingDown";
}

export interface ExecuteRunDeps {
  services: Services;
  events: EventBus;
  identity: WorkerIdentity;
  jobs: Partial<Record<Run["kind"], RunJob>>;
  settings: JobSettings;
  heartbeatIntervalMs: number;
  progressIntervalMs?: number;
  /** System metrics sampling (SYSTEM_METRICS_INTERVAL_MS; 0 = off); gpuQuery replaces nvidia-smi in tests. */
  systemMetricsIntervalMs?: number;
  gpuQuery?: GpuQuery;
  log: (message: string) => void;
}

async function claim(deps: ExecuteRunDeps, runId: string): Promise<Run | null> {
  const { stores, runs } = deps.services;
  const [run] = await stores.runs.byIds([runId]);
  if (!run || run.status !== "QUEUED") return null; // cancelled meanwhile, or a stale job
  return runs
    .transition(run, "RUNNING", {
      worker: deps.identity.name,
      device: deps.identity.device,
      heartbeatAt: new Date(),
      attempt: run.attempt + 1,
      error: null,
    })
    .catch(() => null); // another worker or a cancel got there first
}

function errorMessage(error: unknown): string {
  const message = (error as Error)?.message ?? String(error);
  return message.length > 2_000 ? `${message.slice(0, 2_000)}…` : message;
}

export async function executeRun(deps: ExecuteRunDeps, runId: string, shutdown: AbortSignal): Promise<void> {
  const run = await claim(deps, runId);
  if (!run) return;
  const { services } = deps;
  const controller = new AbortController();
  const onShutdown = () => controller.abort(new WorkerShuttingDown(`worker ${deps.identity.name} is shutting down`));
  if (shutdown.aborted) onShutdown();
  shutdown.addEventListener("abort", onShutdown, { once: true });
  const progress = createProgressReporter(services.stores, run.id, deps.progressIntervalMs);
  const supervisor = superviseRun({ stores: services.stores, events: deps.events, runId: run.id, controller, heartbeatIntervalMs: deps.heartbeatIntervalMs });
  const systemMetrics = startSystemMetrics({
    intervalMs: deps.systemMetricsIntervalMs ?? 0,
    ...(deps.gpuQuery ? { gpu: deps.gpuQuery } : {}),
    write: (points, step) => services.metrics.log(run.id, points.map((p) => ({ ...p, step })), workerActor(deps.identity.name)),
    log: deps.log,
  });

  const settle = async (to: Run["status"], extra: Prisma.RunUncheckedUpdateInput) => {
    const changes = {
      status: { from: "RUNNING", to },
      ...(extra.error ? { error: String(extra.error) } : {}),
      ...(extra.details ? { detailKeys: Object.keys(extra.details as object) } : {}),
    };
    const audit = { actor: workerActor(deps.identity.name), action: "finish", changes };
    await services.runs.transition(run, to, extra, { audit }).catch((error) => deps.log(`run ${run.id}: not settled as ${to}: ${errorMessage(error)}`));
  };

  try {
    const job = deps.jobs[run.kind];
    if (!job) throw new Error(`this worker has no job for ${run.kind} runs`);
    // A trainer gets its kill grace first; any job then has a little more before it is abandoned.
    const abandonAfterMs = deps.settings.trainerKillGraceMs + ABANDON_MARGIN_MS;
    const outcome = await abandonOnAbort(
      job({ run, signal: controller.signal, progress, services, identity: deps.identity, settings: deps.settings }),
      controller.signal,
      abandonAfterMs,
    );
    await progress.flush();
    await settle("SUCCEEDED", {
      ...(outcome.device ? { device: outcome.device } : {}),
      details: { ...((run.details as object | null) ?? {}), ...(outcome.details ?? {}) } as Prisma.InputJsonObject,
    });
  } catch (error) {
    await progress.flush();
    const reason = controller.signal.reason;
    if (reason instanceof RunNoLongerRunning) {
      deps.log(`run ${run.id} stopped: ${reason.message}`);
    } else if (reason instanceof WorkerShuttingDown) {
      // Checkpoint: back to the queue; a worker resumes it, skipping finished outputs.
      await services.stores.transaction((tx) => tx.requeueRunningRun(run.id, reason.message));
    } else {
      const current = await services.stores.runs.statusOf(run.id);
      if (current && !isTerminal(current)) await settle("FAILED", { error: errorMessage(error) });
    }
  } finally {
    systemMetrics.stop();
    supervisor.stop();
    shutdown.removeEventListener("abort", onShutdown);
  }
}
