// The transfer writes what the model computes: fixture models with known formulas, real
// onnxruntime-node and sharp, every pixel checked (PNG: within uint8 rounding; JPEG: loosely).
import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildCodeFormerLikeModel,
  buildFaceDataset,
  buildTanhGeneratorModel,
  codeFormerLikePixel,
  codeFormerLikeRaw,
  codeFormerLikeSpec,
  tanhGeneratorPixel,
  tanhGeneratorSpec,
  type Rgb,
} from "../../src/fixtures";
import { runTransfer } from "../../src/runners/transfer";
import { listFiles, makeTempDir, maxDeviation, meanDeviation, readRgb, spec, writeModel } from "./transfer-helpers";

const SIZE = 32;
let root: { dir: string; cleanup: () => Promise<void> };
let sourceDir: string;
let sourceFiles: string[];
let codeFormerPath: string;
let tanhPath: string;

beforeAll(async () => {
  root = await makeTempDir("transfer-pixels");
  sourceDir = join(root.dir, "source");
  await buildFaceDataset({ dir: sourceDir, identities: 3, imagesPerIdentity: 4, size: SIZE, jpegEvery: 4 });
  await copyFile(join(sourceDir, "id_0001/3.jpg"), join(sourceDir, "id_0001/4.jpeg"));
  sourceFiles = await listFiles(sourceDir);
  codeFormerPath = await writeModel(root.dir, "codeformer-like", buildCodeFormerLikeModel({ size: SIZE }));
  tanhPath = await writeModel(root.dir, "tanh", buildTanhGeneratorModel({ size: SIZE }));
});

afterAll(() => root.cleanup());

const baseOptions = { batchSize: 4, maxFailureShare: 0, seed: 1 };

async function transfer(name: string, modelPath: string, specInput: Parameters<typeof spec>[0], methodOptions = {}) {
  const outputDir = join(root.dir, name);
  const result = await runTransfer({
    sourceDir,
    outputDir,
    modelPath,
    spec: specInput,
    options: { ...baseOptions, methodOptions },
  });
  return { outputDir, result };
}

async function expectPixels(outputDir: string, expectedOf: (rgb: Rgb) => Rgb): Promise<void> {
  for (const file of sourceFiles) {
    const source = await readRgb(join(sourceDir, file));
    const actual = await readRgb(join(outputDir, file));
    expect([actual.width, actual.height]).toEqual([source.width, source.height]);
    if (file.endsWith(".png")) expect(maxDeviation(source, actual, expectedOf), file).toBeLessThanOrEqual(1);
    else expect(meanDeviation(source, actual, expectedOf), file).toBeLessThan(4);
  }
}

describe("transfer output mirrors the source", () => {
  it("keeps identity folders, file names and formats", async () => {
    const { outputDir, result } = await transfer("mirror", tanhPath, tanhGeneratorSpec(SIZE));
    expect(await listFiles(outputDir)).toEqual(sourceFiles);
    expect(result).toMatchObject({ processed: sourceFiles.length, skipped: 0, failed: 0, total: sourceFiles.length, provider: "cpu" });
    expect(result.secondsPerImage).toBeGreaterThan(0);
    expect(result.imagesPerSecond).toBeGreaterThan(0);
    for (const file of sourceFiles) {
      const format = (await import("sharp")).default(join(outputDir, file)).metadata();
      expect((await format).format, file).toBe(file.endsWith(".png") ? "png" : "jpeg");
    }
  });
});

describe("tanh generator (dynamic batch, 1x1 conv + tanh)", () => {
  it("writes tanh(W x + b) for every pixel", async () => {
    const { outputDir, result } = await transfer("tanh", tanhPath, tanhGeneratorSpec(SIZE));
    expect(result.batchSize).toBe(4);
    await expectPixels(outputDir, tanhGeneratorPixel);
  });

  it("feeds and reads BGR when the spec says so", async () => {
    const bgr = tanhGeneratorSpec(SIZE);
    bgr.input.channelOrder = "BGR";
    const { outputDir } = await transfer("tanh-bgr", tanhPath, bgr);
    const reversed = (rgb: Rgb): Rgb => [rgb[2], rgb[1], rgb[0]];
    await expectPixels(outputDir, (rgb) => reversed(tanhGeneratorPixel(reversed(rgb))));
  });
});

describe("CodeFormer-like model (fixed batch 1, fidelity weight, no tanh)", () => {
  it("runs a fixed-batch model one image at a time with the default fidelity weight", async () => {
    const { outputDir, result } = await transfer("codeformer-default", codeFormerPath, codeFormerLikeSpec(SIZE));
    expect(result.batchSize).toBe(1);
    await expectPixels(outputDir, (rgb) => codeFormerLikePixel(rgb, 0.5));
  });

  it("clamps outputs outside [-1, 1]", async () => {
    const { outputDir } = await transfer("codeformer-w0", codeFormerPath, codeFormerLikeSpec(SIZE), { fidelityWeight: 0 });
    await expectPixels(outputDir, (rgb) => codeFormerLikePixel(rgb, 0));
    const source = await readRgb(join(sourceDir, "id_0000/0.png"));
    const actual = await readRgb(join(outputDir, "id_0000/0.png"));
    let clampedHigh = 0;
    let clampedLow = 0;
    for (let p = 0; p < source.data.length; p += 3) {
      const raw = codeFormerLikeRaw([source.data[p]!, source.data[p + 1]!, source.data[p + 2]!], 0);
      raw.forEach((value, c) => {
        if (value > 1) clampedHigh += Number(actual.data[p + c] === 255);
        if (value < -1) clampedLow += Number(actual.data[p + c] === 0);
      });
    }
    expect(clampedHigh + clampedLow).toBeGreaterThan(0);
  });

  it("changes the output with the fidelity weight", async () => {
    const low = await transfer("codeformer-w02", codeFormerPath, codeFormerLikeSpec(SIZE), { fidelityWeight: 0.2 });
    const high = await transfer("codeformer-w08", codeFormerPath, codeFormerLikeSpec(SIZE), { fidelityWeight: 0.8 });
    await expectPixels(high.outputDir, (rgb) => codeFormerLikePixel(rgb, 0.8));
    const a = await readRgb(join(low.outputDir, "id_0000/0.png"));
    const b = await readRgb(join(high.outputDir, "id_0000/0.png"));
    expect(a.data.equals(b.data)).toBe(false);
  });

  it("rejects a fidelity weight outside the spec's range, naming the option", async () => {
    await expect(transfer("codeformer-bad", codeFormerPath, codeFormerLikeSpec(SIZE), { fidelityWeight: 1.5 })).rejects.toThrow(
      /fidelityWeight: 1.5 is outside \[0, 1\]/,
    );
  });
});

describe("resizing", () => {
  it("resizes to the model size and back to the source size by default", async () => {
    const modelPath = await writeModel(root.dir, "tanh-16", buildTanhGeneratorModel({ size: 16 }));
    const outputDir = join(root.dir, "resized");
    await runTransfer({ sourceDir, outputDir, modelPath, spec: tanhGeneratorSpec(16), options: { ...baseOptions, limit: 2 } });
    const out = await readRgb(join(outputDir, "id_0000/0.png"));
    expect([out.width, out.height]).toEqual([SIZE, SIZE]);
  });

  it("keeps the model's output size with outputSize: model, bilinear-resized input", async () => {
    const modelPath = await writeModel(root.dir, "tanh-16b", buildTanhGeneratorModel({ size: 16 }));
    const outputDir = join(root.dir, "model-size");
    await runTransfer({ sourceDir, outputDir, modelPath, spec: tanhGeneratorSpec(16), options: { ...baseOptions, limit: 2, outputSize: "model" } });
    const source = await readRgb(join(sourceDir, "id_0000/0.png"), 16);
    const out = await readRgb(join(outputDir, "id_0000/0.png"));
    expect([out.width, out.height]).toEqual([16, 16]);
    expect(maxDeviation(source, out, tanhGeneratorPixel)).toBeLessThanOrEqual(1);
  });
});

describe("model and spec must fit", () => {
  it("names the missing input when the spec does not describe the model", async () => {
    const noWeight = codeFormerLikeSpec(SIZE);
    noWeight.extraInputs = [];
    await expect(transfer("mismatch", codeFormerPath, noWeight)).rejects.toThrow(/extraInputs: model inputs w are not described/);
  });

  it("names the field of a size mismatch", async () => {
    await expect(transfer("mismatch-size", tanhPath, tanhGeneratorSpec(64))).rejects.toThrow(/input: model input "input" has shape/);
  });

  it("refuses an embedding spec", async () => {
    const embedding = { ...tanhGeneratorSpec(SIZE), output: { kind: "embedding" as const } };
    await expect(transfer("embedding", tanhPath, embedding)).rejects.toThrow(/output.kind/);
  });
});
