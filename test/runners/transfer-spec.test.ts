// Model input specs and run options: defaults, and errors that name the field.
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { codeFormerLikeSpec, unsbLikeSpec } from "../../src/fixtures";
import { ModelInputSpecError, parseModelInputSpec, specOptionNames } from "../../src/models/input-spec";
import { countImages, walkImages } from "../../src/runners/transfer";
import { resolveTransferOptions } from "../../src/runners/transfer/transfer-options";
import { makeTempDir } from "./transfer-helpers";

const options = { batchSize: 2, maxFailureShare: 0.01, seed: 1 };

describe("ModelInputSpec", () => {
  it("fills defaults (NCHW, RGB, bilinear, clamp, no extra inputs)", () => {
    const spec = parseModelInputSpec({
      input: { name: "input", width: 112, height: 112, range: "MINUS_ONE_ONE" },
      output: { kind: "embedding" },
    });
    expect(spec.input).toMatchObject({ layout: "NCHW", channelOrder: "RGB", resize: "bilinear" });
    expect(spec.output).toEqual({ kind: "embedding", embedding: 0 });
    expect(spec.extraInputs).toEqual([]);
  });

  it("describes AdaFace-style two outputs by name or index", () => {
    const spec = parseModelInputSpec({
      input: { name: "input", width: 112, height: 112, channelOrder: "BGR", range: "MINUS_ONE_ONE" },
      output: { kind: "embedding", embedding: 0, norm: "norm" },
    });
    expect(spec.output).toMatchObject({ embedding: 0, norm: "norm" });
  });

  it("names every offending field", () => {
    const error = (() => {
      try {
        parseModelInputSpec({
          input: { name: "x", width: 0, height: 64, range: "MINUS_TWO_TWO" },
          output: { kind: "image", range: "ZERO_ONE", clamp: "yes" },
          extraInputs: [{ name: "z", source: "noise", shape: [] }],
        });
      } catch (e) {
        return e as ModelInputSpecError;
      }
      throw new Error("expected a parse error");
    })();
    expect(error).toBeInstanceOf(ModelInputSpecError);
    expect(error.issues.map((i) => i.path)).toEqual(["input.width", "input.range", "output.clamp", "extraInputs.0.shape"]);
    expect(error.message).toMatch(/input\.width: .*; input\.range: /);
  });

  it("checks defaults, duplicate names and the schedule", () => {
    const bad = {
      input: { name: "x", width: 8, height: 8, range: "ZERO_ONE" },
      output: { kind: "image", range: "ZERO_ONE" },
      extraInputs: [
        { name: "w", source: "option", option: "fidelityWeight", default: 2, min: 0, max: 1 },
        { name: "x", source: "timeIndex" },
      ],
      schedule: { defaultSteps: 2, allowedSteps: [1, 5] },
    };
    expect(() => parseModelInputSpec(bad)).toThrow(
      /extraInputs\.0\.default: default 2 is outside \[0, 1\]; extraInputs\.1\.name: input name "x" is used twice; schedule\.defaultSteps: defaultSteps 2 is not in allowedSteps/,
    );
  });

  it("lists the options a spec reads", () => {
    expect(specOptionNames(parseModelInputSpec(codeFormerLikeSpec()))).toEqual(["fidelityWeight"]);
    expect(specOptionNames(parseModelInputSpec(unsbLikeSpec()))).toEqual(["steps"]);
  });
});

describe("transfer options", () => {
  const codeFormer = parseModelInputSpec(codeFormerLikeSpec());
  const unsb = parseModelInputSpec(unsbLikeSpec());

  it("fills option defaults and the step count", () => {
    expect(resolveTransferOptions(codeFormer, options).optionValues.get("fidelityWeight")).toBe(0.5);
    expect(resolveTransferOptions(unsb, options).steps).toBe(1);
    expect(resolveTransferOptions(unsb, { ...options, methodOptions: { steps: 5 } }).steps).toBe(5);
  });

  it("needs a time value for every step when the spec lists them", () => {
    const listed = parseModelInputSpec({
      ...unsbLikeSpec(),
      extraInputs: [{ name: "t", source: "timeIndex", values: [999, 500] }, { name: "z", source: "noise", shape: ["N", 16] }],
    });
    expect(() => resolveTransferOptions(listed, { ...options, methodOptions: { steps: 5 } })).toThrow(
      /^steps: 5 steps, but input "t" lists only 2 time values$/,
    );
  });

  it.each([
    [{ batchSize: 0 }, /^batchSize: expected an integer/],
    [{ maxFailureShare: 1.5 }, /^maxFailureShare: expected a share in \[0, 1\], got 1.5/],
    [{ seed: -1 }, /^seed: /],
    [{ limit: 1.5 }, /^limit: /],
    [{ methodOptions: { fidelityWeight: -0.1 } }, /^fidelityWeight: -0.1 is outside \[0, 1\]/],
    [{ methodOptions: { fidelity: 0.3 } }, /^fidelity: not an option of this model \(options: fidelityWeight\)/],
  ])("names the option in %j", (override, message) => {
    expect(() => resolveTransferOptions(codeFormer, { ...options, ...override })).toThrow(message);
  });
});

describe("dataset walker", () => {
  it("streams identity/file pairs in a stable sorted order, skipping hidden and non-image files", async () => {
    const { dir, cleanup } = await makeTempDir("walker");
    try {
      for (const [path, body] of [
        ["b/2.png", ""],
        ["b/10.png", ""],
        ["a/1.JPG", ""],
        ["a/0.jpeg", ""],
        ["a/notes.txt", ""],
        ["a/.0.png.123.tmp", ""],
        [".hidden/0.png", ""],
        ["root.png", ""],
      ]) {
        await mkdir(join(dir, path, ".."), { recursive: true });
        await writeFile(join(dir, path!), body!);
      }
      await symlink(join(dir, "b"), join(dir, "c"));
      const walked = [];
      for await (const image of walkImages(dir)) walked.push(`${image.relativePath}:${image.format}`);
      expect(walked).toEqual([
        "root.png:png",
        "a/0.jpeg:jpeg",
        "a/1.JPG:jpeg",
        "b/10.png:png",
        "b/2.png:png",
        "c/10.png:png",
        "c/2.png:png",
      ]);
      expect(await countImages(dir)).toBe(7);
      expect(await countImages(dir, 3)).toBe(3);
    } finally {
      await cleanup();
    }
  });
});
