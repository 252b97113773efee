import type { TensorRange } from "../../models/input-spec";

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

/** The forward map as a linear function: value = pixel * scale + offset. */
export function pixelToTensorLinear(range: TensorRange): { scale: number; offset: number } {
  switch (range) {
    case "MINUS_ONE_ONE":
      return { scale: 1 / 127.5, offset: -1 }; // (p/255 - 0.5)/0.5 = p/127.5 - 1
    case "ZERO_ONE":
      return { scale: 1 / 255, offset: 0 };
    case "ZERO_255":
      return { scale: 1, offset: 0 };
  }
}
