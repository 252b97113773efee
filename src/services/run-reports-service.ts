// What the process executing a run reports while it goes: claim (QUEUED -> RUNNING),
// heartbeats with progress, log lines, its trainer's process group, and the end
// (FAILED, or back to the queue; SUCCEEDED goes through run-outcome-service). Local
// workers call it directly; a remote job through the API with its run token.
import type { Stores } from "../db/stores";
import type { Run } from "../generated/prisma/client";
import { AppError, badInput } from "../errors";
import type { Actor } from "./actor";
import { isTerminal } from "./run-status";
import type { RunsService } from "./runs-service";

export const LOG_LINES_KEPT = 2_000;
export const MAX_LOG_LINE = 4_000;
const MAX_LOG_LINES_PER_CALL = 1_000;
const MAX_ERROR = 4_000;
const MAX_PHASE = 200;
const STREAMS = new Set(["stdout", "stderr", "system"]);

export interface ReportedProgress {
  done: number;
  total: number | null;
  phase: string;
  rate: number | null;
  etaSeconds: number | null;
}

export interface ReportedLogLine {
  stream: string;
  line: string;
}

function checkText(field: string, value: string, max: number): string {
  if (value.length > max) throw badInput(field, `is ${value.length} characters long; at most ${max} are allowed`);
  return value;
}

function checkProgress(progress: ReportedProgress): ReportedProgress {
  for (const key of ["done", "total"] as const) {
    const value = progress[key];
    if (value != null && (!Number.isInteger(value) || value < 0)) throw badInput(`progress.${key}`, `must be a non-negative integer, got ${value}`);
  }
  for (const key of ["rate", "etaSeconds"] as const) {
    if (progress[key] != null && !Number.isFinite(progress[key])) throw badInput(`progress.${key}`, "must be a finite number");
  }
  // The phase travels in a NOTIFY payload (Postgres caps those at 8000 bytes).
  checkText("progress.phase", progress.phase, MAX_PHASE);
  return progress;
}

/** Writes a RUNNING run's progress columns and heartbeat, announced on runProgress; false once it is no longer RUNNING. */
export function writeRunProgress(stores: Stores, runId: string, p: ReportedProgress): Promise<boolean> {
  return stores.transaction(async (tx) => {
    const running = await tx.runs.writeProgress(runId, {
      progressDone: p.done,
      progressTotal: p.total,
      progressPhase: p.phase,
      progressRate: p.rate,
      progressEtaSeconds: p.etaSeconds,
    });
    if (running) await tx.notify("runProgress", { runId, ...p, at: Date.now() });
    return running;
  });
}

export function createRunReportsService(stores: Stores, runs: RunsService) {
  return {
    /**
     * A remote job's claim: the run (null when not QUEUED) and, when `revealEnvironment` (the run's
     * own token, or ADMIN), its trainer's variables, which the trainer process gets anyway.
     */
    async claimWithEnvironment(runId: string, worker: { name: string; device: string }, actor: Actor, revealEnvironment: boolean) {
      const run = await this.claim(runId, worker, actor);
      if (!run) return null;
      const [trainer] = run.trainerId && revealEnvironment ? await stores.trainers.byIds([run.trainerId]) : [];
      return { run, trainerEnvironment: trainer?.environment ?? null };
    },

    /** QUEUED -> RUNNING for `worker`; null when the run is not QUEUED (cancelled meanwhile, or taken). */
    async claim(runId: string, worker: { name: string; device: string }, actor?: Actor): Promise<Run | null> {
      checkText("worker", worker.name, 200);
      checkText("device", worker.device, 100);
      const run = await runs.require(runId);
      if (run.status !== "QUEUED") return null;
      const audit = actor ? { actor, action: "claimRun", changes: { status: { from: "QUEUED", to: "RUNNING" }, worker: worker.name } } : undefined;
      return runs
        .transition(run, "RUNNING", { worker: worker.name, device: worker.device, heartbeatAt: new Date(), attempt: run.attempt + 1, error: null }, audit ? { audit } : {})
        .catch((error: unknown) => {
          // Another worker or a cancel got there first; a store failure is not that, and propagates.
          if (error instanceof AppError && error.code === "CONFLICT") return null;
          throw error;
        });
    },

    /** Heartbeat (and progress, announced on runProgress); false once the run is no longer RUNNING. */
    heartbeat(runId: string, progress?: ReportedProgress | null): Promise<boolean> {
      if (!progress) return stores.runs.writeProgress(runId, {});
      return writeRunProgress(stores, runId, checkProgress(progress));
    },

    /** Appends lines to the run's log (the newest LOG_LINES_KEPT are kept), announced on runLog. */
    async appendLog(runId: string, lines: readonly ReportedLogLine[]): Promise<void> {
      if (lines.length > MAX_LOG_LINES_PER_CALL) throw badInput("lines", `at most ${MAX_LOG_LINES_PER_CALL} lines per call, got ${lines.length}`);
      const checked = lines.map((l, i) => {
        if (!STREAMS.has(l.stream)) throw badInput(`lines[${i}].stream`, `must be stdout, stderr or system, got ${JSON.stringify(l.stream.slice(0, 20))}`);
        return { stream: l.stream as "stdout" | "stderr" | "system", line: l.line.length > MAX_LOG_LINE ? `${l.line.slice(0, MAX_LOG_LINE)}…` : l.line };
      });
      if (!checked.length) return;
      await stores.transaction(async (tx) => {
        await tx.trainers.appendLog(runId, checked, LOG_LINES_KEPT);
        await tx.notify("runLog", { runId, lines: checked.slice(-50) });
      });
    },

    /** Records (null: clears) the process group and host of the run's trainer. */
    async recordProcess(runId: string, processGroup: number | null, processHost: string | null): Promise<void> {
      if (processGroup != null && (!Number.isInteger(processGroup) || processGroup <= 0)) throw badInput("processGroup", "must be a positive integer");
      if (processHost != null) checkText("processHost", processHost, 255);
      await stores.runs.recordProcess(runId, processGroup, processHost);
    },

    /** FAILED with `error`, unless the run already ended; null then. */
    async fail(runId: string, error: string, actor: Actor): Promise<Run | null> {
      const message = error.length > MAX_ERROR ? `${error.slice(0, MAX_ERROR)}…` : error;
      const [run] = await stores.runs.byIds([runId]);
      if (!run || isTerminal(run.status)) return null;
      const audit = { actor, action: "finish", changes: { status: { from: run.status, to: "FAILED" }, error: message } };
      return runs.transition(run, "FAILED", { error: message }, { audit });
    },

    /** Back to the queue (its worker is stopping), if still RUNNING; false otherwise. */
    async requeue(runId: string, reason: string): Promise<boolean> {
      const message = reason.length > MAX_ERROR ? `${reason.slice(0, MAX_ERROR)}…` : reason;
      return (await stores.transaction((tx) => tx.requeueRunningRun(runId, message))) != null;
    },
  };
}

export type RunReportsService = ReturnType<typeof createRunReportsService>;
