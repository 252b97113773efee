// EVALUATE runs on a pair benchmark end to end: a 60-pair .bin written as insightface writes it,
// two fixture FR models (insightface-like single RGB output; AdaFace-like BGR unit embedding +
// norm) launched together through GraphQL, run by an in-process worker. The stored metrics,
// ROC and fold details equal evaluateVerification on embeddings computed here independently,
// exactly; the same features given as .npy give exactly the same numbers.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCURACY, VAL_AT_FAR_1E3 } from "../../src/domain/metric-names";
import { evaluateVerificationEmbeddings, writeNpyFloat32, type VerificationResult } from "../../src/metrics";
import { gql, gqlData, subscribe, wsClient } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";
import {
  embedIndependently,
  launchEvaluation,
  metricsOf,
  registerEmbeddingModel,
  waitForRun,
  writePairBenchmark,
  type FixtureModel,
  type PairBenchmark,
} from "./helpers";

let server: TestServer;
let bench: PairBenchmark;
let arcface: FixtureModel;
let adaface: FixtureModel;
let trainedOn: { id: string; methodId: string };
let train: { id: string };

beforeAll(async () => {
  server = await startTestServer({ WORKER_IN_PROCESS: "true", HEARTBEAT_INTERVAL_MS: "300" });
  bench = await writePairBenchmark(server.dataRoot, "lfw-mini");
  const seeded = await gqlData(server.url, `{ transferMethod(name: "CodeFormer") { id } dataset(name: "DigiFace1M") { id } }`);
  const dataset = await gqlData(server.url, `mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }`, {
    input: { name: "DigiFace1M-CodeFormer", kind: "REALISM_TRANSFERRED", sourceDatasetId: seeded.dataset.id, transferMethodId: seeded.transferMethod.id },
  });
  trainedOn = { id: dataset.createDataset.id, methodId: seeded.transferMethod.id };
  const models = path.join(server.dataRoot, "models");
  arcface = await registerEmbeddingModel(server.url, models, "arcface-fixture", "single", "RGB", trainedOn.id);
  // The AdaFace-like model comes from a tracked TRAIN run (the public API registers models
  // without one, so this goes through the service).
  train = (await gqlData(server.url, `mutation { createRun(input: { kind: TRAIN, seed: 7, group: "r50-digiface" }) { id } }`)).createRun;
  const ada = await registerEmbeddingModel(server.url, models, "adaface-fixture-file", "unit+norm", "BGR");
  const row = await server.app.services.catalogue.registerFaceModel({
    name: "adaface-fixture", backbone: "fixture", head: "AdaFace", modelPath: ada.path, trainedOnId: trainedOn.id, producedByRunId: train.id,
    inputSpec: (await gqlData(server.url, `query($id: ID!) { faceModel(id: $id) { inputSpec } }`, { id: ada.id })).faceModel.inputSpec,
  });
  adaface = { ...ada, id: row.id };
});
afterAll(() => server?.close());

function expectSameResult(run: any, expected: VerificationResult) {
  const metrics = metricsOf(run, "LFW");
  expect(metrics[ACCURACY]).toEqual({ value: expected.accuracy, std: expected.accuracyStd });
  expect(metrics[VAL_AT_FAR_1E3]).toEqual({ value: expected.val!.val, std: expected.val!.valStd });
  const details = run.details.benchmarks.LFW;
  expect(details).toMatchObject({
    pairs: 60, positivePairs: 30, negativePairs: 30, folds: 10,
    foldAccuracies: expected.foldAccuracies, bestThresholds: expected.bestThresholds,
  });
  expect(details.val.foldThresholds).toEqual(expected.val!.foldThresholds);
  const roc = run.curves.find((c: any) => c.kind === "ROC" && c.benchmark.name === "LFW");
  expect(roc.points.x).toEqual(expected.roc.fpr);
  expect(roc.points.y).toEqual(expected.roc.tpr);
}

describe("launchEvaluation on a .bin pair benchmark", () => {
  let expected: Map<string, { result: VerificationResult; features: Awaited<ReturnType<typeof embedIndependently>> }>;
  let runIds: Record<string, string>;

  it("queues one EVALUATE run per model, filed under the training dataset and its method", async () => {
    const response = await launchEvaluation(server.url, {
      faceModelIds: [arcface.id, adaface.id],
      benchmarks: [{ name: "LFW", dataPath: bench.path }],
      options: { allowNonStandardSize: true, batchSize: 16, seed: 3, group: "from-input" },
    });
    expect(response.errors).toBeUndefined();
    const runs = response.data.launchEvaluation;
    expect(runs).toHaveLength(2);
    for (const run of runs) {
      expect(run).toMatchObject({ kind: "EVALUATE", status: "QUEUED", dataset: { name: "DigiFace1M-CodeFormer" }, transferMethod: { name: "CodeFormer" } });
    }
    // seed/group: from the producing TRAIN run when there is one, else from the input.
    expect(runs[0]).toMatchObject({ faceModel: { name: "arcface-fixture" }, seed: 3, group: "from-input" });
    expect(runs[1]).toMatchObject({ faceModel: { name: "adaface-fixture" }, seed: 7, group: "r50-digiface" });
    expect(runs[0].params).toMatchObject({ mode: "model", batchSize: 16, allowNonStandardSize: true, benchmarks: [{ name: "LFW", pairs: 60, protocol: "PAIRS_10FOLD" }] });
    runIds = { arcface: runs[0].id, adaface: runs[1].id };

    expected = new Map();
    for (const [name, model] of [["arcface", arcface], ["adaface", adaface]] as const) {
      const features = await embedIndependently(model, bench.bins);
      expected.set(name, { features, result: evaluateVerificationEmbeddings(features.original, features.flipped, features.dim, bench.issame) });
    }
  });

  it("SUCCEEDS with exactly the reference metrics, ROC and fold details", async () => {
    const results: Record<string, any> = {};
    for (const [name, id] of Object.entries(runIds)) results[name] = await waitForRun(server.url, id);
    for (const [name, run] of Object.entries(results)) {
      expect(run.status, run.error).toBe("SUCCEEDED");
      expect(run.device).toBe("cpu");
      expect(run.details).toMatchObject({ provider: "cpu", batchSize: 16 });
      expectSameResult(run, expected.get(name)!.result);
    }
    // Different models, different numbers (the test would not notice a swapped model otherwise).
    expect(results.arcface.details.benchmarks.LFW.bestThresholds).not.toEqual(results.adaface.details.benchmarks.LFW.bestThresholds);
  });

  it("gives exactly the same metrics from the same features as .npy (with and without an issame file)", async () => {
    const { features, result } = expected.get("adaface")!;
    const dir = server.dataRoot;
    writeNpyFloat32(path.join(dir, "lfw-original.npy"), features.original, [120, features.dim]);
    writeNpyFloat32(path.join(dir, "lfw-flipped.npy"), features.flipped, [120, features.dim]);
    const { writeFile } = await import("node:fs/promises");
    await writeFile(path.join(dir, "lfw-issame.txt"), bench.issame.map((s) => (s ? "True" : "False")).join("\n") + "\n");
    const original = path.join(dir, "lfw-original.npy");
    const flipped = path.join(dir, "lfw-flipped.npy");
    const launches = [
      { benchmarks: [{ name: "LFW", dataPath: bench.path, features: { original, flipped } }], options: { allowNonStandardSize: true, datasetId: trainedOn.id } },
      { benchmarks: [{ name: "LFW", features: { original, flipped, issame: path.join(dir, "lfw-issame.txt") } }], options: { allowNonStandardSize: true } },
    ];
    const model = await waitForRun(server.url, runIds.adaface);
    for (const input of launches) {
      const response = await launchEvaluation(server.url, input);
      expect(response.errors).toBeUndefined();
      const [queued] = response.data.launchEvaluation;
      expect(queued.params.mode).toBe("features");
      const run = await waitForRun(server.url, queued.id);
      expect(run.status, run.error).toBe("SUCCEEDED");
      expectSameResult(run, result);
      expect(metricsOf(run, "LFW")).toEqual(metricsOf(model, "LFW"));
      expect(run.details.benchmarks.LFW).toEqual({ ...model.details.benchmarks.LFW, source: "features" });
    }
    const filed = (await launchEvaluation(server.url, launches[0]!)).data.launchEvaluation[0];
    expect(filed).toMatchObject({ dataset: { name: "DigiFace1M-CodeFormer" }, transferMethod: { name: "CodeFormer" } });
    await waitForRun(server.url, filed.id);
  });

  it("reports images embedded, then pairs scored, over runProgress", async () => {
    const big = await writePairBenchmark(server.dataRoot, "lfw-600", 600);
    const client = wsClient(server.wsUrl);
    const response = await launchEvaluation(server.url, {
      faceModelIds: [arcface.id], benchmarks: [{ name: "LFW", dataPath: big.path }], options: { allowNonStandardSize: true, batchSize: 4 },
    });
    const id = response.data.launchEvaluation[0].id;
    const progress = subscribe(client, `subscription($id: ID!) { runProgress(runId: $id) { done total phase } }`, { id });
    await progress.next((e: any) => e.runProgress.phase === "LFW: scoring" && e.runProgress.done === 600, 60_000);
    progress.unsubscribe();
    await client.dispose();
    const events = progress.events.map((e: any) => e.runProgress);
    const embedding = events.filter((p: any) => p.phase === "LFW: embedding");
    expect(embedding.length).toBeGreaterThan(1);
    expect(embedding.every((p: any) => p.total === 1200 && p.done <= 1200)).toBe(true);
    expect(embedding.map((p: any) => p.done)).toEqual([...embedding.map((p: any) => p.done)].sort((a, b) => a - b));
    expect(events.findIndex((p: any) => p.phase === "LFW: scoring")).toBeGreaterThan(events.indexOf(embedding[0]));
    expect((await waitForRun(server.url, id)).status).toBe("SUCCEEDED");
  });

  it("stops a cancelled evaluation mid-way", async () => {
    const big = await writePairBenchmark(server.dataRoot, "lfw-3000", 3000);
    const client = wsClient(server.wsUrl);
    const response = await launchEvaluation(server.url, {
      faceModelIds: [adaface.id], benchmarks: [{ name: "LFW", dataPath: big.path }], options: { allowNonStandardSize: true, batchSize: 2 },
    });
    const id = response.data.launchEvaluation[0].id;
    const progress = subscribe(client, `subscription($id: ID!) { runProgress(runId: $id) { done total phase } }`, { id });
    await progress.next((e: any) => e.runProgress.done > 0, 60_000);
    const cancelled = await gqlData(server.url, `mutation($id: ID!) { cancelRun(id: $id) { status } }`, { id });
    expect(cancelled.cancelRun.status).toBe("CANCELLED");
    await new Promise((r) => setTimeout(r, 1_500));
    const a = (await gql(server.url, `query($id: ID!) { run(id: $id) { status progress { done } metrics { name } } }`, { id })).data.run;
    await new Promise((r) => setTimeout(r, 1_000));
    const b = (await gql(server.url, `query($id: ID!) { run(id: $id) { status progress { done } metrics { name } } }`, { id })).data.run;
    expect(b.status).toBe("CANCELLED");
    expect(b.progress.done).toBe(a.progress.done);
    expect(b.progress.done).toBeLessThan(6000);
    expect(b.metrics).toEqual([]);
    progress.unsubscribe();
    await client.dispose();
  });
});
