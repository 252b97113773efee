// Bad evaluations: refused at launch with BAD_USER_INPUT naming the field (and nothing queued),
// or, when the problem only shows while embedding (an image that does not decode), a FAILED
// run whose error names the benchmark and the image.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTanhGeneratorModel, tanhGeneratorSpec } from "../../src/fixtures";
import { writeInsightfaceBin, writeNpyFloat32 } from "../../src/metrics";
import { gqlData } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { launchEvaluation, registerEmbeddingModel, waitForRun, writeIjbFolder, writePairBenchmark, type FixtureModel, type PairBenchmark } from "./helpers";

let server: TestServer;
let bench: PairBenchmark;
let model: FixtureModel;

beforeAll(async () => {
  server = await startTestServer({ WORKER_IN_PROCESS: "true", HEARTBEAT_INTERVAL_MS: "300" });
  bench = await writePairBenchmark(server.dataRoot, "lfw-mini", 60, 4);
  model = await registerEmbeddingModel(server.url, path.join(server.dataRoot, "models"), "arcface-fixture", "single", "RGB");
});
afterAll(() => server?.close());

const evaluateRuns = async () => (await gqlData(server.url, `{ runs(filter: { kind: EVALUATE, published: false }) { totalCount } }`)).runs.totalCount;

async function refused(input: Record<string, unknown>, field: string, message: RegExp) {
  const response = await launchEvaluation(server.url, input);
  expect(response.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
  expect(response.errors?.[0]?.message).toMatch(message);
}

describe("launchEvaluation refuses bad input, naming the field", () => {
  it("checks sizes against the protocol unless allowNonStandardSize", async () => {
    const before = await evaluateRuns();
    await refused(
      { faceModelIds: [model.id], benchmarks: [{ name: "LFW", dataPath: bench.path }] },
      "benchmarks[0].dataPath",
      /benchmark LFW: lfw: the protocol has 6000 pairs, got 60 .*allowNonStandardSize/,
    );
    const ijb = await writeIjbFolder(path.join(server.dataRoot, "ijb-mini"), 3);
    await refused(
      { faceModelIds: [model.id], benchmarks: [{ name: "LFW", dataPath: bench.path }, { name: "IJB-C", dataPath: ijb.dir }], options: {} },
      "benchmarks[0].dataPath",
      /LFW/,
    );
    await refused(
      { faceModelIds: [model.id], benchmarks: [{ name: "IJB-C", dataPath: ijb.dir }] },
      "benchmarks[0].dataPath",
      /benchmark IJB-C: ijbc: the protocol has 15658489 template pairs, got 15/,
    );
    expect(await evaluateRuns()).toBe(before);
  });

  it("refuses unreadable, missing or misplaced data", async () => {
    const before = await evaluateRuns();
    const allow = { allowNonStandardSize: true };
    const truncated = path.join(server.dataRoot, "truncated.bin");
    await writeFile(truncated, (await readFile(bench.path)).subarray(0, 5000));
    await refused({ faceModelIds: [model.id], benchmarks: [{ name: "LFW", dataPath: truncated }], options: allow }, "benchmarks[0].dataPath", /benchmark LFW: .*not a readable pickle/);
    await refused({ faceModelIds: [model.id], benchmarks: [{ name: "LFW" }], options: allow }, "benchmarks[0].dataPath", /LFW has no registered data \(dataUri\); give dataPath/);
    await refused({ faceModelIds: [model.id], benchmarks: [{ name: "LFW", dataPath: path.join(os.tmpdir(), "x.bin") }], options: allow }, "benchmarks[0].dataPath", /outside the data roots|does not exist/);
    await refused({ faceModelIds: [model.id], benchmarks: [{ name: "YTF", dataPath: bench.path }], options: allow }, "benchmarks[0].name", /unknown benchmark "YTF" \(known: .*LFW/);
    await refused({ faceModelIds: [model.id], benchmarks: [{ name: "LFW", dataPath: bench.path }, { name: "LFW", dataPath: bench.path }], options: allow }, "benchmarks[1].name", /listed twice/);
    await refused({ faceModelIds: [model.id], benchmarks: [{ name: "IJB-C", dataPath: bench.path }], options: allow }, "benchmarks[0].dataPath", /is not a directory/);
    const loose = path.join(server.dataRoot, "ijb-loose");
    await writeIjbFolder(loose, 2);
    const { rename } = await import("node:fs/promises");
    await rename(path.join(loose, "images"), path.join(loose, "loose_crop"));
    await refused(
      { faceModelIds: [model.id], benchmarks: [{ name: "IJB-C", dataPath: loose }], options: { ...allow, alignment: "PREALIGNED" } },
      "benchmarks[0].dataPath",
      /has no images\/ of pre-aligned 112x112 crops; its loose_crop\/ holds loose crops: use alignment LANDMARKS/,
    );
    await refused({ faceModelIds: [model.id], benchmarks: [{ name: "IJB-C", dataPath: bench.path.replace(/\.bin$/, "-faces") }], options: allow }, "benchmarks[0].dataPath", /has neither meta\/ijbc_face_tid_mid\.txt nor IJBC\/meta\/ijbc_face_tid_mid\.txt/);
    const small = await registerEmbeddingModel(server.url, path.join(server.dataRoot, "models"), "small-fixture", "single", "RGB", null, 64);
    await refused({ faceModelIds: [small.id], benchmarks: [{ name: "IJB-C", dataPath: loose }], options: allow }, "faceModelIds[0]", /aligned from its landmarks to 112x112 .* takes 64x64/);
    expect(await evaluateRuns()).toBe(before);
  });

  it("checks models and features", async () => {
    const before = await evaluateRuns();
    const allow = { allowNonStandardSize: true };
    const imageModelPath = path.join(server.dataRoot, "models", "image.onnx");
    await writeFile(imageModelPath, buildTanhGeneratorModel({ size: 112 }));
    const imageModel = await gqlData(server.url, `mutation($input: RegisterFaceModelInput!) { registerFaceModel(input: $input) { id } }`, {
      input: {
        name: "not-an-embedder", backbone: "x", head: "x", modelPath: imageModelPath,
        inputSpec: tanhGeneratorSpec(112),
      },
    });
    await refused({ faceModelIds: [imageModel.registerFaceModel.id], benchmarks: [{ name: "LFW", dataPath: bench.path }], options: allow }, "faceModelIds[0]", /output kind "image", not "embedding"/);
    await refused({ faceModelIds: ["00000000-0000-0000-0000-000000000000"], benchmarks: [{ name: "LFW", dataPath: bench.path }] }, "faceModelIds[0]", /does not exist/);
    await refused({ faceModelIds: [], benchmarks: [{ name: "LFW", dataPath: bench.path }] }, "faceModelIds", /at least one/);

    const npy = path.join(server.dataRoot, "wrong-rows.npy");
    writeNpyFloat32(npy, new Float32Array(100 * 8), [100, 8]);
    await refused({ benchmarks: [{ name: "LFW", dataPath: bench.path, features: { original: npy } }], options: allow }, "benchmarks[0].features.original", /shape \(100, 8\) does not fit: expected \(120, dim\)/);
    await refused({ faceModelIds: [model.id], benchmarks: [{ name: "LFW", dataPath: bench.path, features: { original: npy } }], options: allow }, "benchmarks[0].features", /without faceModelIds/);
    await refused({ benchmarks: [{ name: "LFW", dataPath: bench.path }], options: allow }, "benchmarks[0].features", /required when no faceModelIds/);
    await refused({ faceModelIds: [model.id], benchmarks: [{ name: "LFW", dataPath: bench.path }], options: { ...allow, batchSize: 0 } }, "options.batchSize", /integer in \[1, 4096\]/);
    expect(await evaluateRuns()).toBe(before);
  });
});

describe("an evaluation that cannot read its images", () => {
  it("FAILS with an error naming the benchmark and the image", async () => {
    const dir = path.join(server.dataRoot, "corrupt");
    await mkdir(dir, { recursive: true });
    const bins = bench.bins.slice();
    bins[7] = Buffer.concat([bins[7]!.subarray(0, 40), Buffer.alloc(200, 0x5a)]); // a PNG/JPEG cut off and overwritten
    const corrupt = path.join(dir, "lfw-corrupt.bin");
    writeInsightfaceBin(corrupt, { bins, issame: bench.issame });
    const response = await launchEvaluation(server.url, {
      faceModelIds: [model.id], benchmarks: [{ name: "LFW", dataPath: corrupt }], options: { allowNonStandardSize: true, batchSize: 4 },
    });
    expect(response.errors).toBeUndefined();
    const run = await waitForRun(server.url, response.data.launchEvaluation[0].id);
    expect(run.status).toBe("FAILED");
    expect(run.error).toMatch(new RegExp(`benchmark LFW: image 7 \\(pair 3\\) of .*lfw-corrupt\\.bin cannot be decoded: `));
    expect(run.metrics).toEqual([]);
  });
});
