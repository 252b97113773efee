// A TRANSFER run: apply the method's ONNX model to every image of the source
// dataset (src/runners/transfer), then register the output folder as a
// REALISM_TRANSFERRED dataset with lineage and record the measured speed.
import { readdir } from "node:fs/promises";
import { IMAGES_PER_SECOND, SECONDS_PER_IMAGE } from "../../domain/metric-names";
import { createRunnerFiles } from "../../runners/runner-files";
import { runTransfer } from "../../runners/transfer";
import { metricAuditChanges } from "../../services/metrics-service";
import type { TransferRunParams } from "../../services/launch-service";
import type { JobContext, JobOutcome } from "./job";

const FAILED_IMAGES_KEPT = 50;

async function identityCount(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).length;
}

export async function runTransferJob({ run, signal, progress, services, identity }: JobContext): Promise<JobOutcome> {
  const params = run.params as unknown as TransferRunParams & { sourceDir: string };
  const stores = services.stores;
  const [method] = await stores.catalogue.methodsByIds([run.transferMethodId!]);
  const [source] = await stores.catalogue.datasetsByIds([run.datasetId!]);
  if (!method?.modelPath || !source) throw new Error("the run's dataset or transfer method no longer exists");

  // The launch checked these paths; they are checked again now, as the files may have changed since.
  const { dataPaths } = services;
  const sourceDir = await dataPaths.resolveExisting("sourceDir", params.sourceDir, "directory");
  const outputDir = await dataPaths.resolveNew("outputDir", params.outputDir);
  const modelPath = await dataPaths.resolveExisting("modelPath", method.modelPath, "file");
  const files = createRunnerFiles(dataPaths.roots);
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

  const images = result.processed + result.skipped;
  await stores.transaction(async (tx) => {
    // A retried run may have registered its output already.
    const [existing] = await tx.catalogue.datasetsByProducingRunIds([run.id]);
    if (!existing) {
      await tx.catalogue.createDataset({
        name: params.outputName,
        kind: "REALISM_TRANSFERRED",
        requirement: method.requirement,
        imageCount: images,
        identityCount: await identityCount(params.outputDir),
        uri: params.outputDir,
        sourceDatasetId: source.id,
        transferMethodId: method.id,
        producedByRunId: run.id,
        description: `${method.name} applied to ${source.name}`,
      });
    }
    if (result.secondsPerImage != null && result.imagesPerSecond != null) {
      const rows = [
        { runId: run.id, benchmarkId: null, name: SECONDS_PER_IMAGE, value: result.secondsPerImage, std: null, step: 0 },
        { runId: run.id, benchmarkId: null, name: IMAGES_PER_SECOND, value: result.imagesPerSecond, std: null, step: 0 },
      ];
      const inserted = await tx.metrics.upsert(rows);
      await tx.audit.record({ runId: run.id, actor: `worker ${identity.name}`, tokenId: null, action: "logMetrics", changes: metricAuditChanges(rows, inserted) });
    }
  });
  return {
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
