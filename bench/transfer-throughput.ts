// Transfer pipeline throughput against bare session.run on the same model, batch size and
// execution provider, in the same process: how much of the model's speed the pipeline keeps
// (target >= 0.9x: decode/encode overlapped with inference).
// Both are measured in steady state: a fresh onnxruntime session runs its first couple of
// batches slowly (memory arenas, kernel selection), a one-off cost that a 100k-image run does not
// feel; the pipeline's end-to-end rate, first batches included, is reported beside it.
// The default model (4 conv layers, 64 channels, 256x256: ~10 GFLOP per image, still lighter
// than a CUT ResNet-9) keeps inference dominant on CPU as real transfer models do.
// Seen on a 16-core Xeon (CPU provider): 64 ch: 78 img/s vs bare 80 at the same 12 threads
// (0.98), 97 at onnxruntime's default 16 threads (0.81); 96 ch: 0.91 / 0.79. The pipeline's
// own ceiling there (a near-empty model) is ~210 img/s.
// Run alone: tsx bench/transfer-throughput.ts [images] [batchSize] [channels] [layers] [intraOpNumThreads]
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import ort from "onnxruntime-node";
import { buildConvGeneratorModel, buildFaceDataset, convGeneratorSpec } from "../src/fixtures";
import { runTransfer, type TransferProgress } from "../src/runners/transfer";

const WARM_UP_BATCHES = 2;

export interface TransferThroughputOptions {
  images?: number;
  batchSize?: number;
  /** Square input side of the model and the dataset. */
  size?: number;
  /** Conv generator width and depth: heavier models leave more time to hide decode/encode. */
  channels?: number;
  layers?: number;
  executionProviders?: string[];
  pngCompressionLevel?: number;
  /** onnxruntime intra-op threads for the pipeline's session (default: runTransfer's, all cores
   * but a quarter, so decode/encode do not stall onnxruntime's parallel steps on CPU). */
  intraOpNumThreads?: number;
}

export interface TransferThroughputResult {
  images: number;
  batchSize: number;
  size: number;
  model: { channels: number; layers: number };
  provider: string;
  /** runTransfer (walk, decode, infer, encode, atomic write) after its first WARM_UP_BATCHES. */
  pipelineImagesPerSecond: number;
  /** runTransfer's own figure, from its first batch to its last write. */
  pipelineEndToEndImagesPerSecond: number;
  /** session.run alone on a pre-made batch tensor after WARM_UP_BATCHES runs, onnxruntime's
   * default threads (mean of a measurement before and one after the pipeline's). */
  bareImagesPerSecond: number;
  /** The same with the pipeline's intra-op thread count. */
  bareSameThreadsImagesPerSecond: number;
  intraOpNumThreads: number;
  /** pipeline / the faster of the two bare figures, all steady state. */
  ratio: number;
  /** pipeline / bare at the same thread count: the cost of the pipeline alone. */
  ratioSameThreads: number;
}

async function bareImagesPerSecond(
  modelPath: string,
  images: number,
  batchSize: number,
  size: number,
  providers: string[],
  intraOpNumThreads?: number,
): Promise<number> {
  const threads = intraOpNumThreads === undefined ? {} : { intraOpNumThreads };
  const session = await ort.InferenceSession.create(modelPath, { executionProviders: providers, ...threads });
  const batch = new ort.Tensor("float32", new Float32Array(batchSize * 3 * size * size).fill(0.1), [batchSize, 3, size, size]);
  for (let i = 0; i < WARM_UP_BATCHES; i++) await session.run({ input: batch });
  const runs = Math.ceil(images / batchSize);
  const started = performance.now();
  for (let i = 0; i < runs; i++) await session.run({ input: batch });
  const seconds = (performance.now() - started) / 1000;
  await session.release();
  return (runs * batchSize) / seconds;
}

/** Images per second between the first progress mark past `skip` images and the last mark. */
function steadyRate(marks: { at: number; processed: number }[], skip: number): number {
  const first = marks.find((m) => m.processed >= skip);
  const last = marks.at(-1);
  if (!first || !last || last === first) throw new Error(`too few images to measure past the first ${skip}`);
  return ((last.processed - first.processed) * 1000) / (last.at - first.at);
}

export async function benchTransferThroughput(options: TransferThroughputOptions = {}): Promise<TransferThroughputResult> {
  const { images = 192, batchSize = 8, size = 256, channels = 64, layers = 4, executionProviders = ["cuda", "cpu"], pngCompressionLevel, intraOpNumThreads } = options;
  const dir = await mkdtemp(join(os.tmpdir(), "realismlab-bench-transfer-"));
  try {
    const modelPath = join(dir, "generator.onnx");
    await writeFile(modelPath, buildConvGeneratorModel({ size, channels, layers }));
    const identities = Math.ceil(images / 8);
    const sourceDir = join(dir, "source");
    await buildFaceDataset({ dir: sourceDir, identities, imagesPerIdentity: 8, size, jpegEvery: 0 });

    const run = async (outputName: string) => {
      const marks: { at: number; processed: number }[] = [];
      const result = await runTransfer({
        sourceDir,
        outputDir: join(dir, outputName),
        modelPath,
        spec: convGeneratorSpec(size),
        options: { batchSize, limit: images, maxFailureShare: 0, seed: 1, pngCompressionLevel },
        executionProviders,
        intraOpNumThreads,
        onProgress: (p: TransferProgress) => p.phase === "transferring" && marks.push({ at: performance.now(), processed: p.processed }),
      });
      return { result, steadyRate: steadyRate(marks, WARM_UP_BATCHES * batchSize) };
    };
    const warmUp = await run("warm-up"); // first-touch costs: libvips start-up, page cache
    const bareProviders = [warmUp.result.provider];
    const bareBefore = await bareImagesPerSecond(modelPath, images, batchSize, size, bareProviders);
    const pipeline = await run("measured");
    const bareAfter = await bareImagesPerSecond(modelPath, images, batchSize, size, bareProviders);
    const bare = (bareBefore + bareAfter) / 2;
    const threads = pipeline.result.intraOpNumThreads;
    const bareSameThreads = await bareImagesPerSecond(modelPath, images, batchSize, size, bareProviders, threads);
    return {
      images: pipeline.result.processed,
      batchSize,
      size,
      model: { channels, layers },
      provider: pipeline.result.provider,
      pipelineImagesPerSecond: pipeline.steadyRate,
      pipelineEndToEndImagesPerSecond: pipeline.result.imagesPerSecond ?? 0,
      bareImagesPerSecond: bare,
      bareSameThreadsImagesPerSecond: bareSameThreads,
      intraOpNumThreads: threads,
      ratio: pipeline.steadyRate / Math.max(bare, bareSameThreads),
      ratioSameThreads: pipeline.steadyRate / bareSameThreads,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [images, batchSize, channels, layers, intraOpNumThreads] = process.argv.slice(2).map((a) => Number(a) || undefined);
  const result = await benchTransferThroughput({ images, batchSize, channels, layers, intraOpNumThreads });
  console.log(JSON.stringify(result, null, 2));
  console.log(
    `transfer pipeline ${result.pipelineImagesPerSecond.toFixed(1)} img/s ` +
      `(end to end ${result.pipelineEndToEndImagesPerSecond.toFixed(1)}) vs bare session.run ` +
      `${result.bareImagesPerSecond.toFixed(1)} img/s on ${result.provider} ` +
      `(batch ${result.batchSize}, ${result.size}x${result.size}, conv ${result.model.channels}ch x ${result.model.layers}, ` +
      `pipeline threads ${result.intraOpNumThreads}; bare at those threads ` +
      `${result.bareSameThreadsImagesPerSecond.toFixed(1)}): ratio ${result.ratio.toFixed(3)} ` +
      `(same threads ${result.ratioSameThreads.toFixed(3)}; target >= 0.9)`,
  );
}
