// Shared by the transfer tests: temp folders under os.tmpdir(), fixture models on disk,
// reading images back as raw RGB.
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import { join, relative } from "node:path";
import sharp from "sharp";
import { parseModelInputSpec, type ModelInputSpec, type ModelInputSpecInput } from "../../src/models/input-spec";

export async function makeTempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(os.tmpdir(), `realismlab-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function writeModel(dir: string, name: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, `${name}.onnx`);
  await writeFile(path, bytes);
  return path;
}

export const spec = (input: ModelInputSpecInput): ModelInputSpec => parseModelInputSpec(input);

export interface RgbImage {
  data: Buffer;
  width: number;
  height: number;
}

export async function readRgb(path: string, size?: number): Promise<RgbImage> {
  let image = sharp(path).removeAlpha().toColourspace("srgb");
  if (size) image = image.resize(size, size, { fit: "fill", kernel: "linear" });
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Relative paths of every file under dir (hidden ones included), sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split("\\").join("/"))
    .sort();
}

type Rgb = [number, number, number];

/** Largest |actual - expected| over all pixels and channels, expected computed per source pixel. */
export function maxDeviation(source: RgbImage, actual: RgbImage, expectedOf: (rgb: Rgb) => Rgb): number {
  let worst = 0;
  for (let p = 0; p < source.data.length; p += 3) {
    const expected = expectedOf([source.data[p]!, source.data[p + 1]!, source.data[p + 2]!]);
    for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(actual.data[p + c]! - expected[c]!));
  }
  return worst;
}

/** Mean |actual - expected| (for lossy JPEG outputs). */
export function meanDeviation(source: RgbImage, actual: RgbImage, expectedOf: (rgb: Rgb) => Rgb): number {
  let sum = 0;
  for (let p = 0; p < source.data.length; p += 3) {
    const expected = expectedOf([source.data[p]!, source.data[p + 1]!, source.data[p + 2]!]);
    for (let c = 0; c < 3; c++) sum += Math.abs(actual.data[p + c]! - expected[c]!);
  }
  return sum / source.data.length;
}
