// The ports through which one run's execution talks to the rest of RealismLab: claim the
// run, heartbeat and check it is still wanted, stream progress, log lines and metrics,
// look up the catalogue rows its job needs, and finish it with its outcome. Two
// implementations: over the database (local workers, ./ports/database-run-port.ts) and
// over the GraphQL API with the run's token (remote jobs, ./ports/api-run-port.ts).
import type { RunOutcome } from "../domain/run-outcome";
import type { RunKind } from "../domain/run-kind";
import type { WorkerIdentity } from "./worker-identity";

/** What a job knows of its run. */
export interface JobRun {
  id: string;
  kind: RunKind;
  params: unknown;
  seed: number | null;
  /** This attempt's number (1 for the first). */
  attempt: number;
  details: unknown;
  datasetId: string | null;
  transferMethodId: string | null;
  faceModelId: string | null;
  trainerId: string | null;
  /** The previous attempt's trainer process group and host, if one was recorded. */
  processGroup: number | null;
  processHost: string | null;
}

export interface ProgressColumns {
  done: number;
  total: number | null;
  phase: string;
  rate: number | null;
  etaSeconds: number | null;
}

export interface LogLine {
  stream: "stdout" | "stderr" | "system";
  line: string;
}

export interface MetricPoint {
  name: string;
  value: number;
  step?: number | null;
  std?: number | null;
  /** A benchmark name (as in logMetrics). */
  benchmark?: string | null;
}

export interface DatasetRef {
  id: string;
  name: string;
  uri: string | null;
}

export interface TransferMethodRef {
  id: string;
  name: string;
  modelPath: string | null;
  inputSpec: unknown;
}

export interface FaceModelRef {
  id: string;
  name: string;
  modelPath: string;
  inputSpec: unknown;
}

export interface TrainerRef {
  id: string;
  name: string;
  command: string[];
  workingDirectory: string;
  environment: Record<string, string>;
  modelOutput: string;
  inputSpec: unknown;
  backbone: string;
  head: string;
}

/** The catalogue look-ups jobs need; each null when the row no longer exists. */
export interface JobLookups {
  dataset(id: string): Promise<DatasetRef | null>;
  transferMethod(id: string): Promise<TransferMethodRef | null>;
  faceModel(id: string): Promise<FaceModelRef | null>;
  /** The run's own trainer (with its environment, which the trainer process gets). */
  trainer(id: string): Promise<TrainerRef | null>;
}

export interface RunPort {
  /** QUEUED -> RUNNING with this worker; null when the run is not QUEUED (cancelled, taken). */
  claim(runId: string, identity: WorkerIdentity): Promise<JobRun | null>;
  /** Heartbeat, with the latest progress if given; false once the run is no longer RUNNING. */
  heartbeat(runId: string, progress?: ProgressColumns): Promise<boolean>;
  /** Pushes "no longer RUNNING" at once where the port can (database events); the heartbeat polls anyway. */
  watchStopped?(runId: string, signal: AbortSignal, onStopped: () => void): void;
  appendLog(runId: string, lines: LogLine[]): Promise<void>;
  /** Streaming metrics (training curves, system metrics), idempotent per (name, step). */
  logMetrics(runId: string, points: MetricPoint[]): Promise<void>;
  /** Records (null: clears) the run's trainer process group and host. */
  recordProcess(runId: string, processGroup: number | null, processHost: string | null): Promise<void>;
  /** The outcome and SUCCEEDED, in one transaction. */
  finish(runId: string, outcome: RunOutcome): Promise<void>;
  /** FAILED with `error`, unless the run already ended. */
  fail(runId: string, error: string): Promise<void>;
  /** Back to QUEUED (the worker is stopping), if still RUNNING. */
  requeue(runId: string, reason: string): Promise<void>;
  /** A token limited to the run, for its trainer (undefined when auth is off locally). */
  runToken?(runId: string): Promise<string>;
  lookups: JobLookups;
}
