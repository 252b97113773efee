import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { ImageToImageSpec } from "../../models/input-spec";
import type { PreparedBatch } from "./batch-source";
import { writeFileAtomic } from "./atomic-write";
import { outputPathOf } from "./output-paths";
import { encodeRgb, planarToRgb } from "./postprocess";

/** Identity folders known to exist, so each is created once, not once per image. */
export class OutputFolders {
  private readonly made = new Set<string>();

  async ensure(dir: string): Promise<void> {
    if (this.made.has(dir)) return;
    await mkdir(dir, { recursive: true });
    if (this.made.size > 4096) this.made.clear(); // bounded: identities are walked in order
    this.made.add(dir);
  }
}

export interface WriteConfig {
  outputDir: string;
  spec: ImageToImageSpec;
  outputSize: "source" | "model";
  jpegQuality: number;
  pngCompressionLevel: number;
  folders: OutputFolders;
}

/** Converts, encodes (same format as the source file) and atomically writes one batch. */
export async function writeBatch(
  batch: PreparedBatch,
  output: { data: Float32Array; dims: number[] },
  config: WriteConfig,
): Promise<void> {
  const [, , height, width] = output.dims as [number, number, number, number];
  const imageSize = 3 * width * height;
  const writes = batch.images.map(async (image, i) => {
    const rgb = planarToRgb({ data: output.data, offset: i * imageSize, width, height }, config.spec.output, config.spec.input.channelOrder);
    const encoded = await encodeRgb(rgb, width, height, {
      format: image.format,
      resizeTo: config.outputSize === "source" ? batch.sourceSizes[i] : undefined,
      jpegQuality: config.jpegQuality,
      pngCompressionLevel: config.pngCompressionLevel,
    });
    const path = outputPathOf(config.outputDir, image);
    await config.folders.ensure(dirname(path));
    await writeFileAtomic(path, encoded);
  });
  // Wait for every write before reporting, so a failure never leaves writes running behind us.
  const results = await Promise.allSettled(writes);
  const failure = results.find((r) => r.status === "rejected");
  if (failure) throw failure.reason;
}
