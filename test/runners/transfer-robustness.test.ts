// Resume, unreadable images, the failure share, abort and progress: the behaviour a long run
// over 100k images depends on.
import { mkdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildConvGeneratorModel, buildFaceDataset, buildTanhGeneratorModel, tanhGeneratorSpec } from "../../src/fixtures";
import {
  FailureShareExceededError,
  runTransfer,
  type TransferParams,
  type TransferProgress,
} from "../../src/runners/transfer";
import { listFiles, makeTempDir, writeModel } from "./transfer-helpers";

const SIZE = 24;
let root: { dir: string; cleanup: () => Promise<void> };
let sourceDir: string;
let sourceFiles: string[];
let modelPath: string;
let outputCount = 0;

beforeAll(async () => {
  root = await makeTempDir("transfer-robustness");
  sourceDir = join(root.dir, "source");
  await buildFaceDataset({ dir: sourceDir, identities: 4, imagesPerIdentity: 5, size: SIZE });
  sourceFiles = await listFiles(sourceDir);
  modelPath = await writeModel(root.dir, "tanh", buildTanhGeneratorModel({ size: SIZE }));
});

afterAll(() => root.cleanup());

type ParamOverrides = Partial<Omit<TransferParams, "options">> & { options?: Partial<TransferParams["options"]> };

function params(overrides: ParamOverrides = {}): TransferParams {
  const { options, ...rest } = overrides;
  return {
    sourceDir,
    outputDir: join(root.dir, `out-${outputCount++}`),
    modelPath,
    spec: tanhGeneratorSpec(SIZE),
    ...rest,
    options: { batchSize: 3, maxFailureShare: 0, seed: 1, ...options },
  };
}

describe("resume", () => {
  it("skips images whose output exists and leaves them untouched", async () => {
    const first = params({ options: { limit: 7 } });
    const partial = await runTransfer(first);
    expect(partial).toMatchObject({ processed: 7, skipped: 0, total: 7 });
    const before = await stat(join(first.outputDir, sourceFiles[0]!));
    // A temp file left by a crash mid-write is not an output.
    await writeFile(join(first.outputDir, "id_0001", ".3.png.999.dead.tmp"), "half");

    const resumed = await runTransfer({ ...first, options: { ...first.options, limit: undefined } });
    expect(resumed).toMatchObject({ processed: sourceFiles.length - 7, skipped: 7, failed: 0, total: sourceFiles.length });
    expect((await stat(join(first.outputDir, sourceFiles[0]!))).mtimeMs).toBe(before.mtimeMs);
    const outputs = (await listFiles(first.outputDir)).filter((f) => !f.endsWith(".tmp"));
    expect(outputs).toEqual(sourceFiles);
  });
});

describe("unreadable images", () => {
  let brokenSource: string;
  let brokenFiles: string[];

  beforeAll(async () => {
    brokenSource = join(root.dir, "broken-source");
    await buildFaceDataset({ dir: brokenSource, identities: 2, imagesPerIdentity: 5, size: SIZE });
    await writeFile(join(brokenSource, "id_0001", "garbage.png"), Buffer.from("this is not an image at all"));
    brokenFiles = await listFiles(brokenSource);
  });

  it("reports and skips an unreadable image within the allowed share", async () => {
    const errors: { path: string; error: unknown }[] = [];
    const run = params({ sourceDir: brokenSource, options: { maxFailureShare: 0.1 }, onImageError: (path, error) => errors.push({ path, error }) });
    const result = await runTransfer(run);
    expect(result).toMatchObject({ processed: brokenFiles.length - 1, failed: 1, skipped: 0, total: brokenFiles.length });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.path).toBe(join(brokenSource, "id_0001", "garbage.png"));
    expect(String(errors[0]!.error)).toMatch(/unsupported image format|Input buffer|Input file/i);
    expect(await listFiles(run.outputDir)).toEqual(brokenFiles.filter((f) => !f.includes("garbage")));
  });

  it("fails the run with a clear error above maxFailureShare", async () => {
    const run = params({ sourceDir: brokenSource, options: { maxFailureShare: 0.05 } });
    const failure = runTransfer(run);
    await expect(failure).rejects.toBeInstanceOf(FailureShareExceededError);
    await expect(failure).rejects.toThrow(/1 of 11 images \(9\.1%\) could not be read, more than the allowed share of 5\.0% \(maxFailureShare = 0\.05\)/);
  });
});

describe("abort", () => {
  it("stops between batches with an AbortError", async () => {
    const controller = new AbortController();
    const run = params({
      signal: controller.signal,
      options: { batchSize: 1 },
      onProgress: (p) => p.processed >= 2 && controller.abort(),
    });
    const error = await runTransfer(run).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "AbortError" });
    const written = await listFiles(run.outputDir);
    expect(written.length).toBeGreaterThanOrEqual(2);
    expect(written.length).toBeLessThan(sourceFiles.length);
    expect(written.filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("interrupts a running inference without waiting for it", async () => {
    // One batch of 16 that takes over a second to infer on 2 CPU cores: the abort lands mid-run.
    const heavyPath = await writeModel(root.dir, "heavy", buildConvGeneratorModel({ size: 192, channels: 48, layers: 5 }));
    const heavySource = join(root.dir, "heavy-source");
    await buildFaceDataset({ dir: heavySource, identities: 2, imagesPerIdentity: 8, size: 192 });
    const controller = new AbortController();
    let abortedAt = 0;
    const run = params({
      sourceDir: heavySource,
      modelPath: heavyPath,
      spec: tanhGeneratorSpec(192),
      signal: controller.signal,
      options: { batchSize: 16 },
      onProgress: (p) => {
        if (p.phase === "transferring" && !abortedAt) {
          setTimeout(() => {
            abortedAt = performance.now();
            controller.abort();
          }, 250);
        }
      },
    });
    const error = await runTransfer(run).catch((e: unknown) => e);
    const reactedIn = performance.now() - abortedAt;
    expect(error).toMatchObject({ name: "AbortError" });
    expect(reactedIn).toBeLessThan(1000);
    await mkdir(run.outputDir, { recursive: true });
    expect(await listFiles(run.outputDir)).toEqual([]);
  });

  it("refuses to start when already aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(runTransfer(params({ signal: controller.signal }))).rejects.toMatchObject({ name: "AbortError" });
  });
});

describe("progress", () => {
  it("counts up monotonically and reaches total", async () => {
    const events: TransferProgress[] = [];
    const result = await runTransfer(params({ onProgress: (p) => events.push(p) }));
    expect(events.map((e) => e.phase)).toEqual(expect.arrayContaining(["counting", "loading-model", "transferring", "finished"]));
    const done = events.map((e) => e.done);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(events.at(-1)).toMatchObject({ done: sourceFiles.length, total: sourceFiles.length, phase: "finished" });
    expect(result.total).toBe(sourceFiles.length);
  });

  it("trusts a total given by the caller and counts nothing", async () => {
    const events: TransferProgress[] = [];
    await runTransfer(params({ total: sourceFiles.length, onProgress: (p) => events.push(p) }));
    expect(events[0]).toMatchObject({ phase: "counting", total: 0 });
    expect(events.at(-1)).toMatchObject({ done: sourceFiles.length, total: sourceFiles.length });
  });
});
