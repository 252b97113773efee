// The seam between a launch and where its run executes (issue 12's executor
// interface, the part issue 13 needs): submit, cancel, reconcile, and the check of
// a launch's requested resources. `local` is the graphile-worker queue; `slurm`
// turns each run into a Slurm job. A Kubernetes executor would be a third (README).
import type { Run } from "../generated/prisma/client";
import type { RunKind } from "../domain/run-kind";

export const EXECUTOR_NAMES = ["local", "slurm"] as const;
export type ExecutorName = (typeof EXECUTOR_NAMES)[number];

/** What a run asks of the machine that executes it (all optional; defaults per kind in config). */
export interface RunResources {
  gpus?: number;
  cpus?: number;
  memoryGb?: number;
  /** Minutes ("90") or Slurm's [D-]HH:MM[:SS]. */
  timeLimit?: string;
  partition?: string;
}

export interface Executor {
  readonly name: ExecutorName;
  /** Throws BAD_USER_INPUT (field resources.<name>) for a request no node can ever satisfy. */
  checkResources(resources: RunResources): Promise<void>;
  /** Hands a QUEUED run to the executor (the local queue already holds it from the launch's transaction). */
  submit(run: Run): Promise<void>;
  /** Stops a run's job (the run's status is already set by the caller). */
  cancel(run: Run): Promise<void>;
  /** Brings the runs it executes in line with what really runs (on start, and periodically). */
  reconcile(): Promise<void>;
  /** Releases what it holds (an SSH connection) when the process stops. */
  close?(): void;
}

export interface ExecutorChoice {
  executor: ExecutorName;
  resources: RunResources;
}

/** The configured choice per kind; a kind without one runs on `local` (LOCAL_CHOICE). */
export type ExecutorDefaults = Partial<Record<RunKind, ExecutorChoice>>;

export const LOCAL_CHOICE: ExecutorChoice = { executor: "local", resources: {} };
