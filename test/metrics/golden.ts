// Loading the golden files written by scripts/golden/make-metrics-golden.py, and exact checks.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";

export const GOLDEN = path.join(path.dirname(new URL(import.meta.url).pathname), "golden");

export type GoldenFloat = number | "nan" | "inf" | "-inf";

export function num(v: GoldenFloat): number {
  if (v === "nan") return NaN;
  if (v === "inf") return Infinity;
  if (v === "-inf") return -Infinity;
  return v;
}
export const nums = (a: GoldenFloat[]): number[] => a.map(num);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function loadGolden(name: string): any {
  return JSON.parse(readFileSync(path.join(GOLDEN, name), "utf8"));
}

/** Element-wise Object.is equality (so NaN equals NaN, 0 differs from -0), first mismatch reported. */
export function expectExact(actual: ArrayLike<number>, expected: GoldenFloat[] | ArrayLike<number>, label: string): void {
  const exp = Array.from(expected as ArrayLike<GoldenFloat>, num);
  expect(actual.length, `${label}: length`).toBe(exp.length);
  for (let i = 0; i < exp.length; i++) {
    if (!Object.is(actual[i], exp[i])) {
      expect.fail(`${label}[${i}]: got ${actual[i]}, expected ${exp[i]}`);
    }
  }
}

export function expectExactNumber(actual: number, expected: GoldenFloat, label: string): void {
  if (!Object.is(actual, num(expected))) expect.fail(`${label}: got ${actual}, expected ${num(expected)}`);
}

/** sha256 of a float64 array's little-endian bytes (numpy's .astype('<f8').tobytes()). */
export function sha256Float64(a: Float64Array): string {
  return createHash("sha256").update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest("hex");
}

/** mulberry32, the same generator as the golden script's (uint32 outputs). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a) >>> 0;
    t = ((t + Math.imul(t ^ (t >>> 7), 61 | t)) >>> 0) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** The golden script's fake image bytes: ((i * 131 + k * 7) & 255). */
export function fakeImage(i: number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let k = 0; k < n; k++) b[k] = (i * 131 + k * 7) & 255;
  return b;
}
