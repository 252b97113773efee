// The 5-point target of insightface's eval_ijbc.py (class Embedding): its own float32 array, with
// 8.0 added to x in float32. It is not norm_crop's ARCFACE_DST: the last x differs by one float32
// step (62.7299 + 8 rounds to 70.72990417..., ARCFACE_DST's 70.7299 to 70.72989655...).
const f32 = Math.fround;

export const ALIGNED_SIZE = 112;

const SOURCE = [
  [30.2946, 51.6963],
  [65.5318, 51.5014],
  [48.0252, 71.7366],
  [33.5493, 92.3655],
  [62.7299, 92.2041],
];

/** x1 y1 ... x5 y5 as float32 values (held in a Float64Array for the float64 estimate). */
export const ARCFACE_TEMPLATE: Float64Array = Float64Array.from(
  SOURCE.flatMap(([x, y]) => [f32(f32(x!) + 8.0), f32(y!)]),
);
