// An image as cv2.imread(path) (IMREAD_COLOR) gives it to eval_ijbc.py, decoded with sharp:
// 8 bits per channel, 3 channels (a grey image copied to all three, alpha dropped without
// blending, 16-bit PNG reduced to its high byte like libpng's strip_16), EXIF orientation
// applied. Kept in RGB order: the warp treats channels alike and eval_ijbc.py converts its BGR
// result to RGB, so the order never matters. Checked against Debian's python3-opencv on JPEG and
// PNG crops (colour, grey, RGBA, 16-bit) by test/evaluation/ijbc-alignment.test.ts.
import sharp from "sharp";
import type { Image8u3 } from "./warp-affine";

/**
 * The largest loose crop read (pixels): 4096 x 4096, 48 MB decoded, so a hostile file cannot make
 * us allocate gigabytes (IJB-C's loose crops are a few hundred pixels a side).
 */
export const MAX_CROP_PIXELS = 4096 * 4096;

export async function imreadColor(source: string | Buffer): Promise<Image8u3> {
  const { data, info } = await sharp(source, { limitInputPixels: MAX_CROP_PIXELS })
    .rotate() // EXIF orientation, as imread does unless IMREAD_IGNORE_ORIENTATION
    .removeAlpha()
    .toColourspace("srgb")
    .raw({ depth: "uchar" })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 colour channels after decoding, got ${info.channels}`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}
