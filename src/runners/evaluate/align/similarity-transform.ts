// scikit-image's SimilarityTransform.estimate (Umeyama 1991, with scaling) for 2-D points, in
// float64. In 2-D the SVD is not needed: with A = dst_demean^T src_demean / n, the rotation that
// Umeyama's U diag(d) V gives is the angle atan2(A10 - A01, A00 + A11), and S.d (the singular
// values with the reflection sign) equals hypot(A00 + A11, A10 - A01) whatever the sign of
// det(A); so scale * R = [[a, -b], [b, a]] / var with a = A00 + A11, b = A10 - A01 and var the
// summed variance of src. Equal to skimage's float64 result to ~1e-15 (goldens: within 1e-9).

export class AlignmentError extends Error {
  override name = "AlignmentError";
}

/**
 * The 2x3 matrix [m00, m01, m02, m10, m11, m12] mapping `src` points onto `dst` points (both
 * x1 y1 x2 y2 ...). Throws where skimage would return NaN (all points equal) or a singular
 * matrix (no rotation-and-scale fits better than collapsing to a point).
 */
export function estimateSimilarity(src: ArrayLike<number>, dst: ArrayLike<number>): Float64Array {
  const n = src.length / 2;
  if (!Number.isInteger(n) || n < 2 || dst.length !== src.length) {
    throw new AlignmentError(`similarity: need the same number (>= 2) of source and target points, got ${src.length / 2} and ${dst.length / 2}`);
  }
  for (let i = 0; i < src.length; i++) {
    if (!Number.isFinite(src[i]!)) throw new AlignmentError(`similarity: landmark value ${i + 1} is ${src[i]}`);
  }
  // Means accumulate row by row, as numpy's mean(axis=0) does.
  let sx = 0, sy = 0, dx = 0, dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[2 * i]!;
    sy += src[2 * i + 1]!;
    dx += dst[2 * i]!;
    dy += dst[2 * i + 1]!;
  }
  sx /= n; sy /= n; dx /= n; dy /= n;
  let a00 = 0, a01 = 0, a10 = 0, a11 = 0, varX = 0, varY = 0;
  for (let i = 0; i < n; i++) {
    const px = src[2 * i]! - sx, py = src[2 * i + 1]! - sy;
    const qx = dst[2 * i]! - dx, qy = dst[2 * i + 1]! - dy;
    a00 += qx * px; a01 += qx * py;
    a10 += qy * px; a11 += qy * py;
    varX += px * px; varY += py * py;
  }
  const variance = varX / n + varY / n;
  if (!(variance > 0)) throw new AlignmentError("similarity: all landmarks are the same point");
  const a = (a00 + a11) / n / variance;
  const b = (a10 - a01) / n / variance;
  if (a === 0 && b === 0) throw new AlignmentError("similarity: the landmarks admit no rotation and scale (degenerate configuration)");
  return Float64Array.of(a, -b, dx - (a * sx - b * sy), b, a, dy - (b * sx + a * sy));
}
