import type { ImageInputSpec } from "../../models/input-spec";
import type { DatasetImage } from "./dataset-walker";
import { outputExists, outputPathOf } from "./output-paths";
import { decodeImage, writePlanar, type DecodedImage } from "./preprocess";
import type { ProgressTracker } from "./progress";

/** Decoded images of one run call, packed as the model's input tensor. */
export interface PreparedBatch {
  images: DatasetImage[];
  sourceSizes: { width: number; height: number }[];
  /** [feedBatch, 3, H, W]; slots past images.length are zero padding (fixed-batch models). */
  pixels: Float32Array;
  feedBatch: number;
}

export interface BatchSourceConfig {
  input: ImageInputSpec;
  batchSize: number;
  /** Pad every batch to batchSize (the model's batch dimension is fixed). */
  padToBatchSize: boolean;
  outputDir: string;
  tracker: ProgressTracker;
  /** Reads a source image (confined to the data roots by the job); default: any regular file. */
  readImage?: (file: string) => Promise<Buffer>;
}

/**
 * Pulls images from the walk, skips those already written (resume), decodes the rest in
 * parallel and packs them. One call = one batch; the caller keeps at most one call ahead.
 */
export class BatchSource {
  private exhausted = false;

  constructor(
    private readonly images: AsyncIterator<DatasetImage>,
    private readonly config: BatchSourceConfig,
  ) {}

  async next(): Promise<PreparedBatch | null> {
    while (!this.exhausted) {
      const pending = await this.collectPending();
      const decoded = await this.decodeAll(pending);
      if (decoded.length > 0) return this.pack(decoded);
    }
    return null;
  }

  /** Up to batchSize images without an output yet (fewer only at the end of the walk). */
  private async collectPending(): Promise<DatasetImage[]> {
    const pending: DatasetImage[] = [];
    while (pending.length < this.config.batchSize && !this.exhausted) {
      const candidates = await this.take(this.config.batchSize - pending.length);
      // Checked together: one at a time, each check would queue behind busy decode/encode jobs.
      const exists = await Promise.all(candidates.map((image) => outputExists(outputPathOf(this.config.outputDir, image))));
      candidates.forEach((image, i) => (exists[i] ? this.config.tracker.skip() : pending.push(image)));
    }
    return pending;
  }

  private async take(count: number): Promise<DatasetImage[]> {
    const taken: DatasetImage[] = [];
    while (taken.length < count) {
      const next = await this.images.next();
      if (next.done) {
        this.exhausted = true;
        break;
      }
      taken.push(next.value);
    }
    return taken;
  }

  private async decodeAll(images: DatasetImage[]): Promise<{ image: DatasetImage; decoded: DecodedImage }[]> {
    const results = await Promise.allSettled(images.map(async (image) =>
        decodeImage(this.config.readImage ? await this.config.readImage(image.absolutePath) : image.absolutePath, this.config.input),
      ));
    const decoded: { image: DatasetImage; decoded: DecodedImage }[] = [];
    results.forEach((result, i) => {
      if (result.status === "fulfilled") decoded.push({ image: images[i]!, decoded: result.value });
      else this.config.tracker.fail(images[i]!, result.reason);
    });
    return decoded;
  }

  private pack(items: { image: DatasetImage; decoded: DecodedImage }[]): PreparedBatch {
    const { input, batchSize, padToBatchSize } = this.config;
    const feedBatch = padToBatchSize ? batchSize : items.length;
    const imageSize = 3 * input.width * input.height;
    const pixels = new Float32Array(feedBatch * imageSize);
    items.forEach((item, i) => writePlanar(item.decoded.rgb, pixels, i * imageSize, input));
    return {
      images: items.map((item) => item.image),
      sourceSizes: items.map(({ decoded }) => ({ width: decoded.sourceWidth, height: decoded.sourceHeight })),
      pixels,
      feedBatch,
    };
  }
}
