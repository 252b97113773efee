// One batch of benchmark images as two input tensors: the images as the model's spec wants them
// (size, channel order, range) and their horizontal mirror. As in insightface, the flip is taken
// after decoding and resizing (np.flip of the prepared image, axis = width).
import type { ImageInputSpec } from "../../models/input-spec";
import { decodeImage, writePlanar } from "../transfer/preprocess";
import { ALIGNED_SIZE, alignLooseCrop } from "./align";

/** Where an image comes from: a file path, encoded bytes or a reader of them, and how to name it in errors. */
export interface ImageSource {
  data: string | Buffer | (() => Promise<Buffer>);
  label: string;
  /** A loose crop's 5 landmarks (x1 y1 ... x5 y5): aligned to 112x112 instead of resized. */
  landmarks?: ArrayLike<number>;
}

/** The crop as interleaved RGB at the model's input size: 5-point aligned, or decoded and resized. */
async function pixels(source: ImageSource, input: ImageInputSpec): Promise<{ rgb: Uint8Array }> {
  const data = typeof source.data === "function" ? await source.data() : source.data;
  if (!source.landmarks) return decodeImage(data, input);
  if (input.width !== ALIGNED_SIZE || input.height !== ALIGNED_SIZE) {
    throw new Error(`5-point alignment makes ${ALIGNED_SIZE}x${ALIGNED_SIZE} crops, the model takes ${input.width}x${input.height}`);
  }
  return { rgb: await alignLooseCrop(data, source.landmarks) };
}

export interface ImageBatch {
  count: number;
  /** Images per tensor (count, or the model's fixed batch size with zero padding). */
  feedBatch: number;
  original: Float32Array;
  flipped: Float32Array;
}

export class ImageDecodeError extends Error {
  override name = "ImageDecodeError";
}

/** Mirrors interleaved RGB pixels left-right. */
export function mirrorRgb(rgb: Uint8Array, width: number, height: number): Buffer {
  const out = Buffer.alloc(rgb.length);
  for (let y = 0; y < height; y++) {
    const row = y * width * 3;
    for (let x = 0; x < width; x++) {
      const from = row + x * 3;
      const to = row + (width - 1 - x) * 3;
      out[to] = rgb[from]!;
      out[to + 1] = rgb[from + 1]!;
      out[to + 2] = rgb[from + 2]!;
    }
  }
  return out;
}

export async function prepareImageBatch(sources: ImageSource[], input: ImageInputSpec, feedBatch: number): Promise<ImageBatch> {
  const decoded = await Promise.all(
    sources.map((source) =>
      pixels(source, input).catch((error: unknown) => {
        throw new ImageDecodeError(`${source.label} cannot be decoded: ${(error as Error)?.message ?? String(error)}`);
      }),
    ),
  );
  const chw = 3 * input.width * input.height;
  const original = new Float32Array(feedBatch * chw);
  const flipped = new Float32Array(feedBatch * chw);
  decoded.forEach(({ rgb }, i) => {
    writePlanar(rgb, original, i * chw, input);
    writePlanar(mirrorRgb(rgb, input.width, input.height), flipped, i * chw, input);
  });
  return { count: sources.length, feedBatch, original, flipped };
}
