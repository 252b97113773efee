// IEEE half -> single conversion, bit for bit as numpy's npy_halfbits_to_floatbits (NaN
// payloads kept, signalling NaNs not quieted). Every half is exactly representable as a float.

function halfBitsToFloatBits(h: number): number {
  const sign = (h & 0x8000) << 16;
  switch (h & 0x7c00) {
    case 0x0000: {
      let sig = h & 0x03ff;
      if (sig === 0) return sign >>> 0; // signed zero
      let exp = 0; // subnormal: normalise
      sig <<= 1;
      while ((sig & 0x0400) === 0) {
        sig <<= 1;
        exp++;
      }
      return (sign + ((127 - 15 - exp) << 23) + ((sig & 0x03ff) << 13)) >>> 0;
    }
    case 0x7c00: // inf / NaN: copy the significand
      return (sign + 0x7f800000 + ((h & 0x03ff) << 13)) >>> 0;
    default:
      return (sign + (((h & 0x7fff) + 0x1c000) << 13)) >>> 0;
  }
}

let table: Uint32Array | null = null;

/** float32 bit patterns of all 65536 halves (built once, 256 KiB). */
function halfTable(): Uint32Array {
  if (!table) {
    table = new Uint32Array(65536);
    for (let h = 0; h < 65536; h++) table[h] = halfBitsToFloatBits(h);
  }
  return table;
}

/** Converts half-precision bit patterns to float32 values (exact, bit-preserving). */
export function float16ToFloat32(halves: Uint16Array): Float32Array {
  const t = halfTable();
  const out = new Float32Array(halves.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < halves.length; i++) bits[i] = t[halves[i]];
  return out;
}
