import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { dirname, join } from "node:path";

/** CUDA when it can be loaded, else CPU. */
export const DEFAULT_EXECUTION_PROVIDERS: readonly string[] = ["cuda", "cpu"];

export interface SkippedProvider {
  provider: string;
  reason: string;
}

const CUDA_LIBRARY: Partial<Record<NodeJS.Platform, string>> = {
  linux: "libonnxruntime_providers_cuda.so",
  win32: "onnxruntime_providers_cuda.dll",
};

/** onnxruntime-node's folder of native libraries for this platform, if laid out as in 1.x. */
function onnxruntimeBinaryDir(): string | null {
  try {
    const entry = createRequire(import.meta.url).resolve("onnxruntime-node");
    const dir = join(dirname(entry), "..", "bin", "napi-v6", process.platform, process.arch);
    return existsSync(dir) ? dir : null;
  } catch {
    return null;
  }
}

/**
 * Why CUDA cannot load here, when that is knowable without trying. onnxruntime-node ships the
 * CUDA provider only through its install script (skipped by npm's allowScripts here); trying
 * to create a CUDA session without it logs a loud native error, so skip it quietly instead.
 */
function cudaUnavailableReason(): string | null {
  const library = CUDA_LIBRARY[process.platform];
  if (!library) return `no CUDA execution provider for ${process.platform}`;
  const dir = onnxruntimeBinaryDir();
  if (dir && !existsSync(join(dir, library))) {
    return (
      `${library} is not installed (npm skipped onnxruntime-node's install script; on a CUDA 12 machine run ` +
      "`ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js`)"
    );
  }
  return null;
}

/** Splits requested providers into those worth trying (in order) and those known to be missing. */
export function providerCandidates(requested: readonly string[]): { candidates: string[]; skipped: SkippedProvider[] } {
  const candidates: string[] = [];
  const skipped: SkippedProvider[] = [];
  for (const provider of requested) {
    const reason = provider === "cuda" ? cudaUnavailableReason() : null;
    if (reason) skipped.push({ provider, reason });
    else candidates.push(provider);
  }
  return { candidates, skipped };
}

/**
 * Intra-op threads when the caller sets none: onnxruntime's own default is one per core, but a
 * parallel step waits for its slowest thread, so a core busy decoding or encoding images stalls
 * them all. Leave a quarter of the cores (from 4 cores up) to the image pipeline.
 */
export function defaultIntraOpThreads(cores = os.availableParallelism()): number {
  return Math.max(1, cores - Math.floor(cores / 4));
}
