import sharp, { type KernelEnum } from "sharp";
import type { ImageInputSpec, ResizeKernel } from "../../models/input-spec";
import { pixelLookupTable } from "./pixel-ranges";

const SHARP_KERNEL: Record<ResizeKernel, keyof KernelEnum> = {
  bilinear: "linear",
  bicubic: "cubic",
  nearest: "nearest",
  lanczos3: "lanczos3",
};

/** Interleaved 8-bit RGB pixels at the model's input size, plus the source image's size. */
export interface DecodedImage {
  rgb: Buffer;
  sourceWidth: number;
  sourceHeight: number;
}

/** Decodes (libvips thread pool, off the JS thread) and resizes to the spec's size as RGB. */
export async function decodeImage(path: string, input: ImageInputSpec): Promise<DecodedImage> {
  const image = sharp(path) // failOn "warning" (default): truncated files count as unreadable;
  const { width: sourceWidth = 0, height: sourceHeight = 0 } = await image.metadata();
  const { data, info } = await image
    .removeAlpha()
    .toColourspace("srgb")
    .resize(input.width, input.height, { fit: "fill", kernel: SHARP_KERNEL[input.resize] })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 colour channels after decoding, got ${info.channels}`);
  return { rgb: data, sourceWidth, sourceHeight };
}

/** Writes interleaved RGB pixels as planar (CHW) tensor values at `offset` of `target`. */
export function writePlanar(rgb: Uint8Array, target: Float32Array, offset: number, input: ImageInputSpec): void {
  const table = pixelLookupTable(input.range);
  const plane = input.width * input.height;
  // Plane index of each source channel: BGR models read R from the last plane.
  const [r, g, b] = input.channelOrder === "BGR" ? [2, 1, 0] : [0, 1, 2];
  const rBase = offset + r * plane;
  const gBase = offset + g * plane;
  const bBase = offset + b * plane;
  for (let i = 0, p = 0; i < plane; i++, p += 3) {
    target[rBase + i] = table[rgb[p]!]!;
    target[gBase + i] = table[rgb[p + 1]!]!;
    target[bBase + i] = table[rgb[p + 2]!]!;
  }
}
