import { mkdir } from "node:fs/promises";
import { isImageToImageSpec, parseModelInputSpec } from "../../models/input-spec";
import { InferenceWorker } from "../inference/session-host";
import type { SkippedProvider } from "../inference/execution-provider";
import { BatchSource } from "./batch-source";
import { inferBatch, type InferencePlan } from "./batch-inference";
import { OutputFolders, writeBatch } from "./batch-writer";
import { countImages, takeImages, walkImages } from "./dataset-walker";
import { AbortError, ModelSpecMismatchError } from "./errors";
import { bindModel } from "./model-binding";
import { ProgressTracker, type ImageErrorListener, type ProgressListener } from "./progress";
import { runPipeline } from "./transfer-loop";
import { resolveTransferOptions, type TransferOptions } from "./transfer-options";

export interface TransferParams {
  sourceDir: string;
  outputDir: string;
  modelPath: string;
  /** The model's input spec: stored JSON or an already parsed ModelInputSpec (parsed here). */
  spec: unknown;
  options: TransferOptions;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** An unreadable image (skipped); path is the source file's absolute path. */
  onImageError?: ImageErrorListener;
  /** Tried in order; default ["cuda", "cpu"]. */
  executionProviders?: readonly string[];
  /** Images in the source (after limit), when the caller already knows; else counted first. */
  total?: number;
  /** onnxruntime intra-op threads; default all cores but a quarter (see defaultIntraOpThreads). */
  intraOpNumThreads?: number;
  /** Reads each source image; the worker passes its data-roots reader (src/runners/runner-files.ts). */
  readImage?: (file: string) => Promise<Buffer>;
}

export interface TransferResult {
  processed: number;
  skipped: number;
  failed: number;
  total: number;
  /** Wall time of the transfer itself (model loaded, images flowing). */
  seconds: number;
  /** seconds / processed; null when nothing was processed. */
  secondsPerImage: number | null;
  imagesPerSecond: number | null;
  /** Execution provider that ran the model ("cuda", "cpu", ...). */
  provider: string;
  /** Providers skipped or failed before `provider`, with why. */
  providerFallbacks: SkippedProvider[];
  /** Images per run call actually used (a fixed-batch model overrides the option). */
  batchSize: number;
  intraOpNumThreads: number;
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new AbortError(undefined, { cause: signal.reason });
}

function imageToImageSpec(value: unknown) {
  const spec = parseModelInputSpec(value);
  if (!isImageToImageSpec(spec)) throw new ModelSpecMismatchError("output.kind: a transfer needs an image output");
  return spec;
}

/**
 * Applies an image-to-image ONNX model to every image of `sourceDir`, writing the same
 * identity/file layout under `outputDir`. Resumable (existing outputs are skipped), abortable
 * (AbortError), tolerant of unreadable images up to options.maxFailureShare.
 */
export async function runTransfer(params: TransferParams): Promise<TransferResult> {
  const spec = imageToImageSpec(params.spec);
  const options = resolveTransferOptions(spec, params.options);
  const signal = params.signal ?? new AbortController().signal;
  const tracker = new ProgressTracker(0, options.maxFailureShare, params.onProgress, params.onImageError);
  throwIfAborted(signal);

  tracker.report("counting");
  tracker.total = params.total ?? (await countImages(params.sourceDir, options.limit));
  throwIfAborted(signal);

  tracker.report("loading-model");
  const session = await InferenceWorker.open(params.modelPath, {
    executionProviders: params.executionProviders,
    intraOpNumThreads: params.intraOpNumThreads,
  });
  try {
    const binding = bindModel(spec, session, options.batchSize);
    const plan: InferencePlan = {
      input: spec.input,
      output: spec.output,
      inputName: binding.inputName,
      outputName: binding.outputName,
      extraInputs: spec.extraInputs,
      optionValues: options.optionValues,
      steps: options.steps,
      seed: options.seed,
    };
    const source = new BatchSource(takeImages(walkImages(params.sourceDir), options.limit), {
      input: spec.input,
      batchSize: binding.batchSize,
      padToBatchSize: binding.fixedBatch,
      outputDir: params.outputDir,
      tracker,
      ...(params.readImage ? { readImage: params.readImage } : {}),
    });
    const writeConfig = {
      outputDir: params.outputDir,
      spec,
      outputSize: options.outputSize,
      jpegQuality: options.jpegQuality,
      pngCompressionLevel: options.pngCompressionLevel,
      folders: new OutputFolders(),
    };
    await mkdir(params.outputDir, { recursive: true });

    tracker.report("transferring");
    const started = performance.now();
    await runPipeline(
      {
        next: () => source.next(),
        infer: (batch) => inferBatch(session, batch, plan, signal),
        write: async (batch, output) => {
          await writeBatch(batch, output, writeConfig);
          tracker.wrote(batch.images.length);
        },
      },
      signal,
    );
    const seconds = (performance.now() - started) / 1000;
    tracker.report("finished");
    const { processed, skipped, failed, total } = tracker;
    return {
      processed,
      skipped,
      failed,
      total,
      seconds,
      secondsPerImage: processed > 0 ? seconds / processed : null,
      imagesPerSecond: processed > 0 && seconds > 0 ? processed / seconds : null,
      provider: session.provider,
      providerFallbacks: session.fallbacks,
      batchSize: binding.batchSize,
      intraOpNumThreads: session.intraOpNumThreads,
    };
  } finally {
    await session.close();
  }
}
