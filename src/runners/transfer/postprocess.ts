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
  const order = output.channelOrder ?? inputOrder;
  const planeOfChannel = order === "BGR" ? [2, 1, 0] : [0, 1, 2];
  const rgb = new Uint8ClampedArray(plane * 3);
  // Each range maps its bounds exactly onto 0 and 255, so the saturating store below is the
  // spec's clamp (output.clamp) done in one step; NaN becomes 0.
  for (let c = 0; c < 3; c++) {
    const base = offset + planeOfChannel[c]! * plane;
    for (let i = 0, p = c; i < plane; i++, p += 3) rgb[p] = data[base + i]! * scale + shift;
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
