// Messages between InferenceWorker (session-host.ts) and session-worker.mjs. The worker is plain
// JavaScript so it loads under node, tsx and vitest alike; keep the two sides in step.

export type TensorType = "float32" | "float64" | "int32" | "int64";
export type TensorData = Float32Array | Float64Array | Int32Array | BigInt64Array;

export interface TensorPayload {
  type: TensorType;
  data: TensorData;
  dims: number[];
}

export interface ModelValueInfo {
  name: string;
  type: string;
  /** Fixed sizes as numbers, symbolic (dynamic) dimensions as their names; [] when unknown. */
  shape: (number | string)[];
}

export interface SessionWorkerData {
  modelPath: string;
  /** Tried one at a time, in order; the first that creates a session wins. */
  providers: string[];
  sessionOptions: { intraOpNumThreads?: number; interOpNumThreads?: number };
}

export interface ProviderAttempt {
  provider: string;
  error: string;
}

export type WorkerRequest =
  | { kind: "run"; id: number; feeds: Record<string, TensorPayload>; outputNames: string[] }
  | { kind: "close" };

export type WorkerReply =
  | { kind: "ready"; provider: string; attempts: ProviderAttempt[]; inputs: ModelValueInfo[]; outputs: ModelValueInfo[] }
  | { kind: "open-failed"; attempts: ProviderAttempt[] }
  | { kind: "result"; id: number; outputs: Record<string, TensorPayload> }
  | { kind: "run-failed"; id: number; error: string }
  | { kind: "closed" };
