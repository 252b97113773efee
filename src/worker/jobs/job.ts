// The contract between the worker and the code that does a run's work. A job gets
// narrow inputs (its run, a signal, reporters, the look-ups it needs, settings) and
// returns a RunOutcome; it never holds the services or the stores. The worker records
// the outcome (src/services/run-outcome-service.ts) with the run's SUCCEEDED.
import type { RunOutcome } from "../../domain/run-outcome";
import type { DataPaths } from "../../services/data-paths";
import type { LogWriter } from "../log-writer";
import type { ProgressReporter } from "../progress-reporter";
import type { JobLookups, JobRun, MetricPoint } from "../run-port";

export type { RunOutcome } from "../../domain/run-outcome";

/** Worker settings a job may need. */
export interface JobSettings {
  /** GraphQL URL handed to external processes (trainers). */
  apiUrl: string;
  trainerKillGraceMs: number;
  /** Worker variables a trainer may see (src/runners/train/trainer-environment.ts). */
  trainerEnvAllow: readonly string[];
}

export interface JobContext {
  run: JobRun;
  /** Aborted when the run is cancelled, fails elsewhere, or the worker shuts down. */
  signal: AbortSignal;
  progress: ProgressReporter;
  /** The run's log (lines reach live log views in batches). */
  log: LogWriter;
  /** Streaming metrics while the run goes (training curves); final results go in the outcome. */
  logMetrics(points: MetricPoint[]): Promise<void>;
  /** Records (null: clears) the trainer's process group and host on the run. */
  recordProcess(processGroup: number | null, processHost: string | null): Promise<void>;
  /** A token limited to this run, for an external process (undefined when none is needed). */
  runToken(): Promise<string | undefined>;
  lookups: JobLookups;
  /** Resolves paths inside the data roots as this machine sees them. */
  paths: DataPaths;
  settings: JobSettings;
}

/** Kept for callers of the old name. */
export type JobOutcome = RunOutcome;

export type RunJob = (context: JobContext) => Promise<RunOutcome>;
