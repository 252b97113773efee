import sharp, { type KernelEnum } from "sharp";
import type { ImageInputSpec, ResizeKernel } from "../../models/input-spec";
import { readRegularFile } from "../runner-files";
import { pixelToTensorLinear } from "./pixel-ranges";

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

/** Decodes a file or encoded bytes (libvips thread pool, off the JS thread) and resizes to the spec's size as RGB. */
export async function decodeImage(source: string | Buffer, input: ImageInputSpec): Promise<DecodedImage> {
  // A path is read here, regular files only: libvips would block for good opening a FIFO.
  const image = sharp(typeof source === "string" ? await readRegularFile(source) : source) // failOn "warning" (default): truncated files count as unreadable;
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
  const { scale, offset: shift } = pixelToTensorLinear(input.range);
  const plane = input.width * input.height;
  // BGR models read R from the last plane. One pass, three planes: this loop runs on the main
  // thread for every pixel of every image.
  const bgr = input.channelOrder === "BGR";
  const r = offset + (bgr ? 2 : 0) * plane;
  const g = offset + plane;
  const b = offset + (bgr ? 0 : 2) * plane;
  for (let i = 0, p = 0; i < plane; i++, p += 3) {
    target[r + i] = rgb[p]! * scale + shift;
    target[g + i] = rgb[p + 1]! * scale + shift;
    target[b + i] = rgb[p + 2]! * scale + shift;
  }
}
