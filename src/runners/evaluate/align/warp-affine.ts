// cv2.warpAffine(src, M, (w, h)) for 8-bit 3-channel images, bilinear, BORDER_CONSTANT 0, as
// OpenCV 4.x computes it (imgwarp.cpp: warpAffine -> WarpAffineInvoker -> remapBilinear):
//   - M is inverted in double (warpAffine without WARP_INVERSE_MAP);
//   - per output row y, X0 = cvRound((M1*y + M2) * 1024) + 16 and per column adelta[x] =
//     cvRound(M0*x * 1024) (AB_BITS = 10, round half to even as cvRound does on SSE2); the source
//     position is X = (X0 + adelta[x]) >> 5: integer pixel X >> 5, fraction X & 31 on a 1/32 grid
//     (INTER_BITS = 5); the same for Y;
//   - the 4 taps weigh (32-fy)(32-fx)*32 ... fy*fx*32 (INTER_REMAP_COEF_BITS = 15: they sum to
//     32768; at fraction 0,0 OpenCV's table saturates 32768 to 32767 and moves the missing 1 onto
//     the last tap, kept here), and the result is (sum + 16384) >> 15;
//   - taps outside the image read 0; a pixel whose taps are all outside is 0.
// A floating-point bilinear warp differs from this by up to a few grey levels on ~1% of pixels.
const AB_BITS = 10;
const AB_SCALE = 1 << AB_BITS;
const INTER_BITS = 5;
const TAB = 1 << INTER_BITS;
const ROUND_DELTA = AB_SCALE / TAB / 2;

/** cvRound: round half to even, saturated to int32 (x86 cvtsd2si gives INT_MIN out of range). */
function cvRound(v: number): number {
  if (!(v >= -2147483648.5 && v < 2147483647.5)) return -2147483648;
  let r = Math.round(v);
  if (r - v === 0.5 && r % 2 !== 0) r -= 1;
  return r;
}

const saturateShort = (v: number) => (v < -32768 ? -32768 : v > 32767 ? 32767 : v);

/** The 2x3 inverse as warpAffine computes it (D = 0 gives all zeros, as OpenCV does). */
export function invertAffine(m: ArrayLike<number>): Float64Array {
  let d = m[0]! * m[4]! - m[1]! * m[3]!;
  d = d !== 0 ? 1 / d : 0;
  const a11 = m[4]! * d;
  const a22 = m[0]! * d;
  const out = Float64Array.from(m as ArrayLike<number>);
  out[0] = a11;
  out[1] *= -d;
  out[3] *= -d;
  out[4] = a22;
  const b1 = -out[0]! * out[2]! - out[1]! * out[5]!;
  const b2 = -out[3]! * out[2]! - out[4]! * out[5]!;
  out[2] = b1;
  out[5] = b2;
  return out;
}

export interface Image8u3 {
  /** Interleaved 3-channel pixels, row-major, no padding. */
  data: Uint8Array;
  width: number;
  height: number;
}

/** cv2.warpAffine(src, m, (width, height), borderValue=0) with INTER_LINEAR. */
export function warpAffineBilinear(src: Image8u3, m: ArrayLike<number>, width: number, height: number): Uint8Array {
  const { data, width: sw, height: sh } = src;
  if (data.length !== sw * sh * 3) throw new Error(`warpAffine: ${data.length} bytes is not ${sw}x${sh}x3`);
  const inv = invertAffine(m);
  const out = new Uint8Array(width * height * 3);
  const adelta = new Int32Array(width);
  const bdelta = new Int32Array(width);
  for (let x = 0; x < width; x++) {
    adelta[x] = cvRound(inv[0]! * x * AB_SCALE);
    bdelta[x] = cvRound(inv[3]! * x * AB_SCALE);
  }
  const stride = sw * 3;
  for (let y = 0; y < height; y++) {
    const X0 = (cvRound((inv[1]! * y + inv[2]!) * AB_SCALE) + ROUND_DELTA) | 0;
    const Y0 = (cvRound((inv[4]! * y + inv[5]!) * AB_SCALE) + ROUND_DELTA) | 0;
    for (let x = 0; x < width; x++) {
      const X = ((X0 + adelta[x]!) | 0) >> (AB_BITS - INTER_BITS);
      const Y = ((Y0 + bdelta[x]!) | 0) >> (AB_BITS - INTER_BITS);
      const sx = saturateShort(X >> INTER_BITS);
      const sy = saturateShort(Y >> INTER_BITS);
      const fx = X & (TAB - 1);
      const fy = Y & (TAB - 1);
      const o = (y * width + x) * 3;
      if (sx >= sw || sx + 1 < 0 || sy >= sh || sy + 1 < 0) continue; // all taps outside: 0
      let w0 = (TAB - fy) * (TAB - fx) * TAB;
      const w1 = (TAB - fy) * fx * TAB;
      const w2 = fy * (TAB - fx) * TAB;
      let w3 = fy * fx * TAB;
      if (fx === 0 && fy === 0) {
        w0 = 32767;
        w3 = 1;
      }
      const in0 = sx >= 0 && sx < sw;
      const in1 = sx + 1 >= 0 && sx + 1 < sw;
      const row0 = sy >= 0 && sy < sh ? sy * stride : -1;
      const row1 = sy + 1 >= 0 && sy + 1 < sh ? (sy + 1) * stride : -1;
      const p00 = in0 && row0 >= 0 ? row0 + sx * 3 : -1;
      const p01 = in1 && row0 >= 0 ? row0 + (sx + 1) * 3 : -1;
      const p10 = in0 && row1 >= 0 ? row1 + sx * 3 : -1;
      const p11 = in1 && row1 >= 0 ? row1 + (sx + 1) * 3 : -1;
      for (let c = 0; c < 3; c++) {
        const sum =
          (p00 >= 0 ? data[p00 + c]! * w0 : 0) +
          (p01 >= 0 ? data[p01 + c]! * w1 : 0) +
          (p10 >= 0 ? data[p10 + c]! * w2 : 0) +
          (p11 >= 0 ? data[p11 + c]! * w3 : 0);
        out[o + c] = (sum + 16384) >> 15;
      }
    }
  }
  return out;
}
