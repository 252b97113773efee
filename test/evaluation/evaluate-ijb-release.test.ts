// EVALUATE on IJB-C as it is distributed (IJBC/loose_crop/ + IJBC/meta/, crops of any size, 5
// landmarks per image): aligned in the runner, embedded by the fixture model through real
// onnxruntime, pooled and scored. TAR@FMR equals the Python pipeline's (eval_ijbc.py with
// Debian's OpenCV/skimage and the same fixture weights in numpy:
// scripts/golden/make-ijbc-align-golden.py). The same release renamed as IJB-B gives the same.
import { cp, mkdir, readdir, rename } from "node:fs/promises";
import { readFileSync } from "node:fs";
import path from "node:path";
import ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tarAtFmr } from "../../src/domain/metric-names";
import { embeddingFixtureWeights } from "../../src/fixtures";
import { IJB_FMRS, parseName5ptsScore, readNpy } from "../../src/metrics";
import { alignLooseCrop } from "../../src/runners/evaluate/align";
import { cli, cliEnv } from "../cli/helpers";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { launchEvaluation, metricsOf, registerEmbeddingModel, waitForRun, type FixtureModel } from "./helpers";

const GOLDEN = path.join(import.meta.dirname, "golden", "ijbc");
const pipeline = JSON.parse(readFileSync(path.join(GOLDEN, "pipeline.json"), "utf8"));

let server: TestServer;
let model: FixtureModel;
let release: string;

beforeAll(async () => {
  server = await startTestServer({ WORKER_IN_PROCESS: "true", HEARTBEAT_INTERVAL_MS: "300" });
  release = path.join(server.dataRoot, "IJB_release");
  await mkdir(release, { recursive: true });
  await cp(path.join(GOLDEN, "IJBC"), path.join(release, "IJBC"), { recursive: true });
  model = await registerEmbeddingModel(server.url, path.join(server.dataRoot, "models"), "arcface-fixture", "single", "RGB");
});
afterAll(() => server?.close());

function expectGoldenTar(run: any, benchmark: string) {
  expect(run.status, run.error).toBe("SUCCEEDED");
  const metrics = metricsOf(run, benchmark);
  IJB_FMRS.forEach((fmr, k) => expect(metrics[tarAtFmr(fmr)], `TAR@FMR=${fmr}`).toEqual({ value: pipeline.tar[k], std: null }));
  expect(run.details.benchmarks[benchmark]).toMatchObject({ alignment: "LANDMARKS", source: "model", images: 36, templates: 12, pairs: 66, genuinePairs: 6 });
}

describe("IJB-C release layout, aligned from the landmarks", () => {
  it("the Python reference ran the same fixture weights", () => {
    const weights = embeddingFixtureWeights(pipeline.model.dimension, pipeline.model.seed);
    expect(Array.from(readNpy(path.join(GOLDEN, "model-weight.npy")).data)).toEqual(Array.from(weights.weight));
    expect(Array.from(readNpy(path.join(GOLDEN, "model-bias.npy")).data)).toEqual(Array.from(weights.bias));
    // the golden is not degenerate: some TARs are neither 0 nor 1
    expect(pipeline.tar.some((t: number) => t > 0 && t < 1)).toBe(true);
  });

  it("embeddings of the aligned crops match the reference's numpy forward pass", async () => {
    const meta = parseName5ptsScore(readFileSync(path.join(GOLDEN, "IJBC", "meta", "ijbc_name_5pts_score.txt")));
    const session = await ort.InferenceSession.create(model.path, { executionProviders: ["cpu"] });
    const dim = pipeline.model.dimension;
    let worst = 0;
    for (let i = 0; i < meta.images.length; i++) {
      const rgb = await alignLooseCrop(path.join(GOLDEN, "IJBC", "loose_crop", meta.images[i]!), meta.landmarks.subarray(i * 10, i * 10 + 10));
      for (const [half, flip] of [false, true].entries()) {
        const chw = new Float32Array(3 * 112 * 112);
        for (let y = 0; y < 112; y++) {
          for (let x = 0; x < 112; x++) {
            for (let c = 0; c < 3; c++) chw[c * 112 * 112 + y * 112 + x] = (rgb[(y * 112 + (flip ? 111 - x : x)) * 3 + c]! / 255 - 0.5) / 0.5;
          }
        }
        const out = await session.run({ input: new ort.Tensor("float32", chw, [1, 3, 112, 112]) });
        const got = out.embedding!.data as Float32Array;
        for (let j = 0; j < dim; j++) worst = Math.max(worst, Math.abs(got[j]! - pipeline.imageFeatures[i * 2 * dim + half * dim + j]));
      }
    }
    await session.release();
    expect(worst).toBeLessThan(1e-4);
  });

  it("launchEvaluation on the release root: AUTO picks LANDMARKS, TAR@FMR equals the Python pipeline", async () => {
    const response = await launchEvaluation(server.url, {
      faceModelIds: [model.id],
      benchmarks: [{ name: "IJB-C", dataPath: release }],
      options: { allowNonStandardSize: true, batchSize: 8 },
    });
    expect(response.errors).toBeUndefined();
    const params = response.data.launchEvaluation[0].params;
    expect(params.alignment).toBe("AUTO");
    expect(params.benchmarks[0]).toMatchObject({ alignment: "LANDMARKS", ijbPrefix: "ijbc", dataPath: expect.stringMatching(/IJB_release\/IJBC$/) });
    expect(params.benchmarks[0].imageDir).toMatch(/IJBC\/loose_crop$/);
    expectGoldenTar(await waitForRun(server.url, response.data.launchEvaluation[0].id), "IJB-C");
  });

  it("IJB-B: the same files under IJBB/ with ijbb_ names, alignment LANDMARKS asked for", async () => {
    const ijbb = path.join(server.dataRoot, "IJBB");
    await cp(path.join(GOLDEN, "IJBC"), ijbb, { recursive: true });
    for (const file of await readdir(path.join(ijbb, "meta"))) {
      await rename(path.join(ijbb, "meta", file), path.join(ijbb, "meta", file.replace(/^ijbc_/, "ijbb_")));
    }
    const response = await launchEvaluation(server.url, {
      faceModelIds: [model.id],
      benchmarks: [{ name: "IJB-B", dataPath: ijbb }],
      options: { allowNonStandardSize: true, alignment: "LANDMARKS" },
    });
    expect(response.errors).toBeUndefined();
    expect(response.data.launchEvaluation[0].params.benchmarks[0]).toMatchObject({ ijbPrefix: "ijbb", alignment: "LANDMARKS" });
    expectGoldenTar(await waitForRun(server.url, response.data.launchEvaluation[0].id), "IJB-B");
  });

  it("PREALIGNED on a release without images/ is refused, naming the field", async () => {
    const response = await launchEvaluation(server.url, {
      faceModelIds: [model.id],
      benchmarks: [{ name: "IJB-C", dataPath: release }],
      options: { allowNonStandardSize: true, alignment: "PREALIGNED" },
    });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "benchmarks[0].dataPath" });
    expect(response.errors?.[0]?.message).toMatch(/no images\/ of pre-aligned 112x112 crops; its loose_crop\/ holds loose crops/);
  });

  it("the CLI: --alignment landmarks on the release root, a wrong value is a usage error", async () => {
    const env = cliEnv(server.url);
    const bad = await cli(["launch", "evaluate", "--model", "arcface-fixture", "--benchmark", `IJB-C=${release}`, "--alignment", "sideways"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--alignment must be one of landmarks, prealigned, auto/);
    const done = await cli(
      ["launch", "evaluate", "--model", "arcface-fixture", "--benchmark", `IJB-C=${release}`, "--alignment", "landmarks", "--allow-non-standard-size", "--json"],
      env,
    );
    expect(done.code, done.stderr).toBe(0);
    const id = JSON.parse(done.stdout).id;
    expectGoldenTar(await waitForRun(server.url, id), "IJB-C");
  }, 120_000);
});
