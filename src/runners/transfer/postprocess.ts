import sharp from "sharp";
import type { ChannelOrder, ImageOutputSpec } from "../../models/input-spec";
import type { ImageFormat } from "./image-format";
import { tensorToPixelLinear } from "./pixel-ranges";

export interface PlanarImage {
  data: Float32Array;
  offset: number;
  width: number;
  height: number;
}

/**
 * Planar (CHW) model output -> interleaved 8-bit RGB: map the output range to 0..255, round half
 * to even and saturate (Uint8ClampedArray does both).
 */
export function planarToRgb(image: PlanarImage, output: ImageOutputSpec, inputOrder: ChannelOrder): Buffer {
  const { data, offset, width, height } = image;
  const plane = width * height;
  const { scale, offset: shift } = tensorToPixelLinear(output.range);
  const bgr = (output.channelOrder ?? inputOrder) === "BGR";
  const r = offset + (bgr ? 2 : 0) * plane;
  const g = offset + plane;
  const b = offset + (bgr ? 0 : 2) * plane;
  const rgb = new Uint8ClampedArray(plane * 3);
  // Each range maps its bounds exactly onto 0 and 255, so the saturating store is the spec's
  // clamp (output.clamp) done in one step; NaN becomes 0.
  for (let i = 0, p = 0; i < plane; i++, p += 3) {
    rgb[p] = data[r + i]! * scale + shift;
    rgb[p + 1] = data[g + i]! * scale + shift;
    rgb[p + 2] = data[b + i]! * scale + shift;
  }
  return Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength);
}

export interface EncodeOptions {
  format: ImageFormat;
  /** Resize to this size first (e.g. back to the source image's size). */
  resizeTo?: { width: number; height: number };
  jpegQuality: number;
  pngCompressionLevel: number;
}

/** Encodes interleaved RGB in the given format (libvips thread pool, off the JS thread). */
export async function encodeRgb(rgb: Buffer, width: number, height: number, options: EncodeOptions): Promise<Buffer> {
  let image = sharp(rgb, { raw: { width, height, channels: 3 } });
  const target = options.resizeTo;
  if (target && (target.width !== width || target.height !== height)) {
    image = image.resize(target.width, target.height, { fit: "fill", kernel: "linear" });
  }
  return options.format === "png"
    ? image.png({ compressionLevel: options.pngCompressionLevel }).toBuffer()
    : image.jpeg({ quality: options.jpegQuality, chromaSubsampling: "4:4:4" }).toBuffer();
}
