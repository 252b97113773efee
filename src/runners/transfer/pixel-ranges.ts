import type { TensorRange } from "../../models/input-spec";

/** Tensor value of an 8-bit pixel, per range (MINUS_ONE_ONE is (p/255 - 0.5)/0.5). */
export function pixelToTensorValue(range: TensorRange): (pixel: number) => number {
  switch (range) {
    case "MINUS_ONE_ONE":
      return (p) => (p / 255 - 0.5) / 0.5;
    case "ZERO_ONE":
      return (p) => p / 255;
    case "ZERO_255":
      return (p) => p;
  }
}

/** Inverse map as a linear function: pixel = value * scale + offset. */
export function tensorToPixelLinear(range: TensorRange): { scale: number; offset: number } {
  switch (range) {
    case "MINUS_ONE_ONE":
      return { scale: 127.5, offset: 127.5 };
    case "ZERO_ONE":
      return { scale: 255, offset: 0 };
    case "ZERO_255":
      return { scale: 1, offset: 0 };
  }
}

export function rangeBounds(range: TensorRange): { min: number; max: number } {
  switch (range) {
    case "MINUS_ONE_ONE":
      return { min: -1, max: 1 };
    case "ZERO_ONE":
      return { min: 0, max: 1 };
    case "ZERO_255":
      return { min: 0, max: 255 };
  }
}

const lookupTables = new Map<TensorRange, Float32Array>();

/** Lookup table pixel -> tensor value, so the per-pixel loop is one array read. */
export function pixelLookupTable(range: TensorRange): Float32Array {
  let table = lookupTables.get(range);
  if (!table) {
    const toValue = pixelToTensorValue(range);
    table = Float32Array.from({ length: 256 }, (_, p) => toValue(p));
    lookupTables.set(range, table);
  }
  return table;
}
