/**
 * Reproducible Gaussian noise for iterating methods (UNSB's z). Small, well-known pieces:
 * - mulberry32 (src/metrics/seeded-random.ts): 32-bit state PRNG, uniform in [0, 1);
 * - Box-Muller transform: two uniforms -> two independent standard normals;
 * - FNV-1a (32-bit) to derive one stream per (run seed, input name, image path), so an image
 *   gets the same noise whatever its batch, batch size or whether the run was resumed.
 */
import { mulberry32 } from "../../metrics/seeded-random";

export { mulberry32 };

export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The seed of one noise stream: run seed, extra input name and image path (or batch key). */
export function noiseStreamSeed(runSeed: number, inputName: string, key: string): number {
  return fnv1a32(`${runSeed}\u0000${inputName}\u0000${key}`);
}

/** Standard normal draws from mulberry32 via Box-Muller (the second value of a pair is kept). */
export class GaussianStream {
  private readonly uniform: () => number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.uniform = mulberry32(seed);
  }

  next(): number {
    if (this.spare !== null) {
      const value = this.spare;
      this.spare = null;
      return value;
    }
    const u1 = 1 - this.uniform(); // (0, 1]: log(u1) is finite
    const u2 = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u1));
    this.spare = radius * Math.sin(2 * Math.PI * u2);
    return radius * Math.cos(2 * Math.PI * u2);
  }

  /** Fills target[offset, offset+count) with draws times std. */
  fill(target: Float32Array, offset: number, count: number, std = 1): void {
    for (let i = 0; i < count; i++) target[offset + i] = this.next() * std;
  }
}
