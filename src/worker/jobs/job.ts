// The contract between the worker and the code that does a run's work.
import type { Run } from "../../generated/prisma/client";
import type { Services } from "../../services";
import type { ProgressReporter } from "../progress-reporter";
import type { WorkerIdentity } from "../worker-identity";

/** Worker settings a job may need. */
export interface JobSettings {
  /** GraphQL URL handed to external processes (trainers). */
  apiUrl: string;
  trainerKillGraceMs: number;
  /** Worker variables a trainer may see (src/runners/train/trainer-environment.ts). */
  trainerEnvAllow: readonly string[];
  /** Mints a token limited to one run, for an external process (when auth is on). */
  runToken?: (runId: string) => Promise<string>;
}

export interface JobContext {
  run: Run;
  /** Aborted when the run is cancelled, fails elsewhere, or the worker shuts down. */
  signal: AbortSignal;
  progress: ProgressReporter;
  services: Services;
  identity: WorkerIdentity;
  settings: JobSettings;
}

export interface JobOutcome {
  /** Merged into Run.details. */
  details?: Record<string, unknown>;
  /** The device that really did the work, when the job knows better than the worker. */
  device?: string;
}

export type RunJob = (context: JobContext) => Promise<JobOutcome>;
