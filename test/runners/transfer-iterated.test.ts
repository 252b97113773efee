// Iterating methods (UNSB-style) are driven by the spec's schedule: 1 or 5 steps, a time index
// and fresh seeded noise per step; the same seed reproduces the same bytes.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFaceDataset, buildUnsbLikeModel, UNSB_Z_DIM, unsbLikePixel, unsbLikeSpec } from "../../src/fixtures";
import { GaussianStream, noiseStreamSeed, runTransfer } from "../../src/runners/transfer";
import { listFiles, makeTempDir, maxDeviation, readRgb } from "./transfer-helpers";

const SIZE = 24;
let root: { dir: string; cleanup: () => Promise<void> };
let sourceDir: string;
let modelPath: string;
let pngFiles: string[];

beforeAll(async () => {
  root = await makeTempDir("transfer-iterated");
  sourceDir = join(root.dir, "source");
  await buildFaceDataset({ dir: sourceDir, identities: 3, imagesPerIdentity: 3, size: SIZE, jpegEvery: 0 });
  pngFiles = await listFiles(sourceDir);
  modelPath = join(root.dir, "unsb.onnx");
  await import("node:fs/promises").then((fs) => fs.writeFile(modelPath, buildUnsbLikeModel({ size: SIZE })));
});

afterAll(() => root.cleanup());

async function transfer(name: string, options: { steps?: number; seed: number; batchSize?: number }) {
  const outputDir = join(root.dir, name);
  const methodOptions: Record<string, number> = options.steps === undefined ? {} : { steps: options.steps };
  const result = await runTransfer({
    sourceDir,
    outputDir,
    modelPath,
    spec: unsbLikeSpec(SIZE),
    options: { batchSize: options.batchSize ?? 4, maxFailureShare: 0, seed: options.seed, methodOptions },
  });
  expect(result.processed).toBe(pngFiles.length);
  return outputDir;
}

async function filesOf(dir: string): Promise<Buffer[]> {
  return Promise.all(pngFiles.map((file) => readFile(join(dir, file))));
}

/** Means of the image's noise per step, drawn exactly as the runner draws them. */
function zMeans(seed: number, relativePath: string, steps: number): number[] {
  const stream = new GaussianStream(noiseStreamSeed(seed, "z", relativePath));
  const z = new Float32Array(UNSB_Z_DIM);
  return Array.from({ length: steps }, () => {
    stream.fill(z, 0, UNSB_Z_DIM);
    return z.reduce((a, b) => a + b, 0) / UNSB_Z_DIM;
  });
}

describe("UNSB-style schedule", () => {
  it("runs the default single step: tanh(0.9x + 0.1*0 + 0.5*mean(z))", async () => {
    const out = await transfer("default", { seed: 7 });
    for (const file of pngFiles) {
      const expected = (rgb: [number, number, number]) => unsbLikePixel(rgb, zMeans(7, file, 1));
      expect(maxDeviation(await readRgb(join(sourceDir, file)), await readRgb(join(out, file)), expected), file).toBeLessThanOrEqual(1);
    }
  });

  it("feeds each step's output back with t = 0..4 and fresh noise for 5 steps", async () => {
    const out = await transfer("five", { seed: 7, steps: 5 });
    for (const file of pngFiles) {
      const expected = (rgb: [number, number, number]) => unsbLikePixel(rgb, zMeans(7, file, 5));
      expect(maxDeviation(await readRgb(join(sourceDir, file)), await readRgb(join(out, file)), expected), file).toBeLessThanOrEqual(1);
    }
    const one = await filesOf(join(root.dir, "default"));
    const five = await filesOf(out);
    expect(five.some((bytes, i) => !bytes.equals(one[i]!))).toBe(true);
  });

  it("reproduces bit-identical files with the same seed, whatever the batch size", async () => {
    const a = await filesOf(await transfer("seed7-a", { seed: 7, steps: 5, batchSize: 4 }));
    const b = await filesOf(await transfer("seed7-b", { seed: 7, steps: 5, batchSize: 1 }));
    a.forEach((bytes, i) => expect(bytes.equals(b[i]!), pngFiles[i]).toBe(true));
  });

  it("changes the output with another seed", async () => {
    const a = await filesOf(join(root.dir, "seed7-a"));
    const c = await filesOf(await transfer("seed8", { seed: 8, steps: 5 }));
    expect(c.filter((bytes, i) => !bytes.equals(a[i]!)).length).toBeGreaterThan(0);
  });

  it("refuses a step count the schedule does not allow, naming the option", async () => {
    await expect(transfer("three", { seed: 1, steps: 3 })).rejects.toThrow(/^steps: 3 is not one of 1, 5$/);
  });
});

describe("seeded noise", () => {
  it("is a standard normal stream, identical for identical seeds", () => {
    const draw = (seed: number) => {
      const values = new Float32Array(20000);
      new GaussianStream(seed).fill(values, 0, values.length);
      return values;
    };
    const values = draw(123);
    expect(draw(123)).toEqual(values);
    expect(draw(124)).not.toEqual(values);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
});
