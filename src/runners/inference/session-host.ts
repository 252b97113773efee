import { Worker } from "node:worker_threads";
import {
  DEFAULT_EXECUTION_PROVIDERS,
  defaultIntraOpThreads,
  providerCandidates,
  type SkippedProvider,
} from "./execution-provider";
import type {
  ModelValueInfo,
  SessionWorkerData,
  TensorPayload,
  WorkerReply,
  WorkerRequest,
} from "./session-protocol";

export interface OpenSessionOptions {
  /** Tried in order; default cuda then cpu. */
  executionProviders?: readonly string[];
  /** Default: defaultIntraOpThreads() (all cores but a quarter). */
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
}

export class AbortError extends Error {
  override name = "AbortError";
  constructor(message = "the operation was aborted", options?: { cause?: unknown }) {
    super(message, options);
  }
}

interface PendingRun {
  resolve: (outputs: Record<string, TensorPayload>) => void;
  reject: (error: Error) => void;
}

const WORKER_URL = new URL("./session-worker.mjs", import.meta.url);
/** How long an aborted worker may finish its run in flight before it is terminated. */
const ABORT_EXIT_GRACE_MS = 120_000;

/**
 * An onnxruntime-node session living in a worker thread (run() blocks its thread), so the main
 * thread keeps decoding and encoding images while inference runs. Abort rejects the pending run
 * at once and asks the worker to release its session and exit once the run in flight returns (a
 * run cannot be interrupted). It is not terminated mid-run: terminating a thread inside
 * onnxruntime's run throws a native Napi::Error that aborts the whole process. Only a worker still
 * alive ABORT_EXIT_GRACE_MS later is terminated. The session is not reused after an abort.
 */
export class InferenceWorker {
  private nextId = 0;
  private readonly pending = new Map<number, PendingRun>();
  private exitError: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    readonly provider: string,
    /** Providers tried before `provider` or skipped, with why (for run logs). */
    readonly fallbacks: SkippedProvider[],
    readonly inputs: ModelValueInfo[],
    readonly outputs: ModelValueInfo[],
    readonly intraOpNumThreads: number,
  ) {
    worker.on("message", (reply: WorkerReply) => this.settle(reply));
    worker.on("error", (error) => this.failAll(error));
    worker.on("exit", (code) => this.failAll(new Error(`inference worker exited (code ${code})`)));
  }

  static async open(modelPath: string, options: OpenSessionOptions = {}): Promise<InferenceWorker> {
    const { candidates, skipped } = providerCandidates(options.executionProviders ?? DEFAULT_EXECUTION_PROVIDERS);
    if (candidates.length === 0) {
      throw new Error(`no usable execution provider: ${skipped.map((s) => `${s.provider}: ${s.reason}`).join("; ")}`);
    }
    const intraOpNumThreads = options.intraOpNumThreads ?? defaultIntraOpThreads();
    const data: SessionWorkerData = {
      modelPath,
      providers: candidates,
      sessionOptions: definedOnly({ intraOpNumThreads, interOpNumThreads: options.interOpNumThreads }),
    };
    const worker = new Worker(WORKER_URL, { workerData: data });
    const reply = await firstReply(worker);
    if (reply.kind !== "ready") {
      await worker.terminate();
      const tried = reply.kind === "open-failed" ? reply.attempts : [];
      const reasons = [...skipped.map((s) => `${s.provider}: ${s.reason}`), ...tried.map((a) => `${a.provider}: ${a.error}`)];
      throw new Error(`cannot load model ${modelPath}: ${reasons.join("; ")}`);
    }
    const fallbacks = [...skipped, ...reply.attempts.map((a) => ({ provider: a.provider, reason: a.error }))];
    return new InferenceWorker(worker, reply.provider, fallbacks, reply.inputs, reply.outputs, intraOpNumThreads);
  }

  /** Runs the model; rejects with AbortError as soon as `signal` aborts. */
  run(
    feeds: Record<string, TensorPayload>,
    outputNames: string[],
    signal?: AbortSignal,
  ): Promise<Record<string, TensorPayload>> {
    if (this.exitError) return Promise.reject(this.exitError);
    if (signal?.aborted) return Promise.reject(new AbortError(undefined, { cause: signal.reason }));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.pending.delete(id);
        if (!this.exitError) {
          this.exitError = new AbortError("the inference session was stopped by an abort");
          this.stopAfterRunInFlight();
        }
        reject(new AbortError(undefined, { cause: signal?.reason }));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      const done = () => signal?.removeEventListener("abort", onAbort);
      this.pending.set(id, {
        resolve: (outputs) => (done(), resolve(outputs)),
        reject: (error) => (done(), reject(error)),
      });
      const request: WorkerRequest = { kind: "run", id, feeds, outputNames };
      // Inputs are handed over, not copied: callers build fresh tensors for every run.
      const buffers = new Set(Object.values(feeds).map((t) => t.data.buffer as ArrayBuffer));
      this.worker.postMessage(request, [...buffers]);
    });
  }

  async close(): Promise<void> {
    if (this.exitError) return;
    this.worker.postMessage({ kind: "close" } satisfies WorkerRequest);
    await new Promise<void>((resolve) => this.worker.once("exit", () => resolve()));
  }

  /** The worker handles "close" after the run it is in (messages queue behind a blocking run). */
  private stopAfterRunInFlight(): void {
    this.worker.postMessage({ kind: "close" } satisfies WorkerRequest);
    const deadline = setTimeout(() => void this.worker.terminate(), ABORT_EXIT_GRACE_MS);
    deadline.unref();
    this.worker.once("exit", () => clearTimeout(deadline));
  }

  private settle(reply: WorkerReply): void {
    if (reply.kind !== "result" && reply.kind !== "run-failed") return;
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (reply.kind === "result") pending.resolve(reply.outputs);
    else pending.reject(new Error(`inference failed: ${reply.error}`));
  }

  private failAll(error: Error): void {
    this.exitError ??= error;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}

// onnxruntime rejects keys that are present but undefined.
function definedOnly<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as T;
}

function firstReply(worker: Worker): Promise<WorkerReply> {
  return new Promise((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`inference worker exited while loading (code ${code})`)));
  });
}
