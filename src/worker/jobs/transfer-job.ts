// A TRANSFER run: apply the method's ONNX model to every image of the source
// dataset (src/runners/transfer), and return the output folder (registered as a
// REALISM_TRANSFERRED dataset with lineage) and the measured speed as the outcome.
import { readdir } from "node:fs/promises";
import { IMAGES_PER_SECOND, SECONDS_PER_IMAGE } from "../../domain/metric-names";
import { createRunnerFiles } from "../../runners/runner-files";
import { runTransfer } from "../../runners/transfer";
import type { TransferRunParams } from "../../kinds/transfer/params";
import type { JobContext, RunOutcome } from "./job";

const FAILED_IMAGES_KEPT = 50;

async function identityCount(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).length;
}

export async function runTransferJob({ run, signal, progress, lookups, paths }: JobContext): Promise<RunOutcome> {
  const params = run.params as TransferRunParams & { sourceDir: string };
  const method = run.transferMethodId ? await lookups.transferMethod(run.transferMethodId) : null;
  const source = run.datasetId ? await lookups.dataset(run.datasetId) : null;
  if (!method?.modelPath || !source) throw new Error("the run's dataset or transfer method no longer exists");

  // The launch checked these paths; they are checked again now, as the files may have changed since.
  const sourceDir = await paths.resolveExisting("sourceDir", params.sourceDir, "directory");
  const outputDir = await paths.resolveNew("outputDir", params.outputDir);
  const modelPath = await paths.resolveExisting("modelPath", method.modelPath, "file");
  const files = createRunnerFiles(paths.roots);
  const failedImages: Array<{ path: string; error: string }> = [];
  const result = await runTransfer({
    sourceDir,
    outputDir,
    modelPath,
    readImage: files.read,
    spec: method.inputSpec,
    options: {
      batchSize: params.batchSize,
      ...(params.limit != null ? { limit: params.limit } : {}),
      maxFailureShare: params.maxFailureShare,
      seed: run.seed ?? 0,
      methodOptions: params.methodOptions,
    },
    signal,
    onProgress: (p) => progress.report({ done: p.done, total: p.total, phase: p.phase }),
    onImageError: (path, error) => {
      if (failedImages.length < FAILED_IMAGES_KEPT) failedImages.push({ path, error: (error as Error).message ?? String(error) });
    },
  });

  const speed = result.secondsPerImage != null && result.imagesPerSecond != null
    ? [
        { name: SECONDS_PER_IMAGE, value: result.secondsPerImage, step: 0 },
        { name: IMAGES_PER_SECOND, value: result.imagesPerSecond, step: 0 },
      ]
    : [];
  return {
    metrics: speed,
    dataset: {
      name: params.outputName,
      uri: params.outputDir,
      imageCount: result.processed + result.skipped,
      identityCount: await identityCount(params.outputDir),
    },
    device: result.provider,
    details: {
      processed: result.processed,
      skipped: result.skipped,
      failed: result.failed,
      total: result.total,
      seconds: result.seconds,
      batchSize: result.batchSize,
      provider: result.provider,
      providerFallbacks: result.providerFallbacks,
      failedImages,
    },
  };
}
