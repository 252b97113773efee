// The fixture builders: models load in onnxruntime-node with the declared inputs/outputs and
// compute their documented formulas; datasets are deterministic.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import {
  buildDemoFixtures,
  buildEmbeddingModel,
  buildFaceDataset,
  embeddingFixtureWeights,
  embeddingModelSpec,
  referenceEmbedding,
  renderFace,
} from "../../src/fixtures";
import { parseModelInputSpec } from "../../src/models/input-spec";
import { listFiles, makeTempDir } from "./transfer-helpers";

function randomInput(size: number, batch: number): Float32Array {
  const data = new Float32Array(batch * 3 * size * size);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37) * 0.9;
  return data;
}

describe("embedding fixtures", () => {
  const size = 112;
  const batch = 3;
  const input = randomInput(size, batch);
  const weights = embeddingFixtureWeights(64);

  it("single output: the raw embedding, dynamic batch", async () => {
    const session = await ort.InferenceSession.create(buildEmbeddingModel());
    expect(session.inputNames).toEqual(["input"]);
    expect(session.outputNames).toEqual(["embedding"]);
    const { embedding } = await session.run({ input: new ort.Tensor("float32", input, [batch, 3, size, size]) });
    expect(embedding!.dims).toEqual([batch, 64]);
    const image = input.subarray(3 * size * size, 2 * 3 * size * size);
    const expected = referenceEmbedding(image, size, weights);
    const actual = (embedding!.data as Float32Array).subarray(64, 128);
    actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4));
    await session.release();
  });

  it("two outputs (AdaFace style): unit embedding and its norm", async () => {
    const session = await ort.InferenceSession.create(buildEmbeddingModel({ outputs: "unit+norm" }));
    expect(session.outputNames).toEqual(["embedding", "norm"]);
    const { embedding, norm } = await session.run({ input: new ort.Tensor("float32", input, [batch, 3, size, size]) });
    expect(norm!.dims).toEqual([batch, 1]);
    const raw = referenceEmbedding(input.subarray(0, 3 * size * size), size, weights);
    const rawNorm = Math.hypot(...raw);
    expect((norm!.data as Float32Array)[0]).toBeCloseTo(rawNorm, 4);
    const unit = (embedding!.data as Float32Array).subarray(0, 64);
    expect(Math.hypot(...unit)).toBeCloseTo(1, 5);
    unit.forEach((v, i) => expect(v * rawNorm).toBeCloseTo(raw[i]!, 4));
    expect(parseModelInputSpec(embeddingModelSpec({ outputs: "unit+norm" })).output).toMatchObject({ norm: "norm" });
    await session.release();
  });
});

describe("face datasets", () => {
  it("are deterministic per identity and image, and differ across identities", () => {
    expect(renderFace(3, 1, 32).equals(renderFace(3, 1, 32))).toBe(true);
    expect(renderFace(3, 1, 32).equals(renderFace(3, 2, 32))).toBe(false);
    expect(renderFace(3, 1, 32).equals(renderFace(4, 1, 32))).toBe(false);
  });

  it("write identity folders with PNG and some JPEG files", async () => {
    const { dir, cleanup } = await makeTempDir("faces");
    try {
      const written = await buildFaceDataset({ dir, identities: 2, imagesPerIdentity: 4, size: 16 });
      expect(written).toEqual(["id_0000/0.png", "id_0000/1.png", "id_0000/2.png", "id_0000/3.jpg", "id_0001/0.png", "id_0001/1.png", "id_0001/2.png", "id_0001/3.jpg"]);
      expect(await listFiles(dir)).toEqual(written);
    } finally {
      await cleanup();
    }
  });
});

describe("demo fixtures", () => {
  it("write every model with a spec that parses and matches the model's inputs", async () => {
    const { dir, cleanup } = await makeTempDir("demo");
    try {
      const fixtures = await buildDemoFixtures(dir, { identities: 2, imagesPerIdentity: 2, modelSize: 32 });
      for (const model of Object.values(fixtures.models)) {
        const spec = parseModelInputSpec(JSON.parse(await readFile(join(dir, "models", `${model.name}.spec.json`), "utf8")));
        const session = await ort.InferenceSession.create(model.path);
        expect([...session.inputNames].sort(), model.name).toEqual([spec.input.name, ...spec.extraInputs.map((e) => e.name)].sort());
        await session.release();
      }
      expect(fixtures.dataset.images).toHaveLength(4);
      expect(JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")).models.unsbLike.name).toBe("unsb-like");
    } finally {
      await cleanup();
    }
  });
});
