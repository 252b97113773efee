// One IJB loose crop aligned as eval_ijbc.py's Embedding.get aligns it: the similarity from the
// image's 5 landmarks onto the ArcFace template, then cv2.warpAffine to 112x112 (bilinear,
// border 0). No flip here: the flipped copy is made from the aligned crop, as a second input.
import { ALIGNED_SIZE, ARCFACE_TEMPLATE } from "./arcface-template";
import { imreadColor } from "./imread";
import { estimateSimilarity } from "./similarity-transform";
import { warpAffineBilinear } from "./warp-affine";

/** 112x112 interleaved RGB. `landmarks`: x1 y1 ... x5 y5 as float32 values. */
export async function alignLooseCrop(source: string | Buffer, landmarks: ArrayLike<number>): Promise<Uint8Array> {
  if (landmarks.length !== 10) throw new Error(`alignment needs 5 landmarks (10 values), got ${landmarks.length}`);
  const image = await imreadColor(source);
  const m = estimateSimilarity(landmarks, ARCFACE_TEMPLATE);
  return warpAffineBilinear(image, m, ALIGNED_SIZE, ALIGNED_SIZE);
}
