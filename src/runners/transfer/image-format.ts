import { extname } from "node:path";

export type ImageFormat = "png" | "jpeg";

const FORMAT_BY_EXTENSION: Record<string, ImageFormat> = { ".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg" };

/** The format a file is read and written in, from its extension (null: not an image we take). */
export function imageFormatOf(fileName: string): ImageFormat | null {
  return FORMAT_BY_EXTENSION[extname(fileName).toLowerCase()] ?? null;
}
