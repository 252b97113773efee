// How a worker names itself on the runs it takes: host:pid, and the device its
// ONNX sessions will use (CUDA when its provider can load, else CPU).
import os from "node:os";
import { DEFAULT_EXECUTION_PROVIDERS, providerCandidates } from "../runners/inference/execution-provider";

export interface WorkerIdentity {
  name: string;
  device: "cuda" | "cpu";
}

export function workerIdentity(): WorkerIdentity {
  const { candidates } = providerCandidates(DEFAULT_EXECUTION_PROVIDERS);
  return { name: `${os.hostname()}:${process.pid}`, device: candidates[0] === "cuda" ? "cuda" : "cpu" };
}
