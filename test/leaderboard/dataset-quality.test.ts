// Dataset quality end to end: two "transferred" fixture datasets and a real reference set on disk,
// a fixture FR model as feature extractor, launchDatasetQuality through GraphQL run by an
// in-process worker. The stored quality:* metrics equal the pure functions on embeddings computed
// here independently (direct onnxruntime session, our own preprocessing), exactly. Then
// qualityCorrelations on a synthetic set of datasets whose ranks are known by hand.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFaceDataset } from "../../src/fixtures";
import { frechetDistance, identitySeparability } from "../../src/metrics/dataset-quality";
import { fuseFlipped } from "../../src/metrics/embeddings";
import { walkImages } from "../../src/runners/transfer/dataset-walker";
import { embedIndependently, registerEmbeddingModel, waitForRun, type FixtureModel } from "../evaluation/helpers";
import { gql, gqlData } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { createDataset, createRun } from "./helpers";

const LAUNCH = `mutation($datasetId: ID!, $faceModelId: ID!, $referenceDatasetId: ID!, $limit: Int) {
  launchDatasetQuality(datasetId: $datasetId, faceModelId: $faceModelId, referenceDatasetId: $referenceDatasetId, limit: $limit) {
    id kind status params dataset { name } transferMethod { name } faceModel { name } } }`;

const CORRELATIONS = `query($benchmarks: [String!], $metric: String) {
  qualityCorrelations(benchmarks: $benchmarks, metric: $metric) {
    qualityMetric benchmark metric rho n points { datasetName quality benchmarkMean } } }`;

let server: TestServer;
let model: FixtureModel;
let methods: { id: string; name: string }[];
const dirs: Record<string, string> = {};
const ids: Record<string, string> = {};
let real: string;

beforeAll(async () => {
  server = await startTestServer({ WORKER_IN_PROCESS: "true", HEARTBEAT_INTERVAL_MS: "300" });
  methods = (await gqlData(server.url, `{ transferMethods { id name } }`)).transferMethods;
  real = (await gqlData(server.url, `{ dataset(name: "DigiFace1M") { id } }`)).dataset.id;
  const specs = [
    { key: "reference", identities: 4, images: 5, seed: 1, kind: "REAL" },
    { key: "A", identities: 4, images: 5, seed: 2, kind: "REALISM_TRANSFERRED", method: 0 },
    { key: "B", identities: 3, images: 6, seed: 3, kind: "REALISM_TRANSFERRED", method: 1 },
  ] as const;
  for (const spec of specs) {
    dirs[spec.key] = path.join(server.dataRoot, `quality-${spec.key}`);
    await buildFaceDataset({ dir: dirs[spec.key]!, identities: spec.identities, imagesPerIdentity: spec.images, size: 112, seed: spec.seed });
    ids[spec.key] = await createDataset(server.url, {
      name: `quality-${spec.key}`,
      kind: spec.kind,
      uri: dirs[spec.key],
      ...("method" in spec ? { transferMethodId: methods[spec.method]!.id, sourceDatasetId: real } : {}),
    });
  }
  model = await registerEmbeddingModel(server.url, path.join(server.dataRoot, "models"), "arcface-quality", "single", "RGB");
}, 120_000);
afterAll(() => server?.close());

/** Fused (flip-sum, L2-normalised) embeddings of a folder's first `limit` images, computed independently. */
async function expectedEmbeddings(dir: string, limit: number | null) {
  const files: { path: string; identity: string }[] = [];
  for await (const image of walkImages(dir)) {
    if (limit !== null && files.length >= limit) break;
    files.push({ path: image.absolutePath, identity: image.identity });
  }
  const raw = await embedIndependently(model, await Promise.all(files.map((f) => readFile(f.path))));
  return { embeddings: fuseFlipped(raw.original, raw.flipped, raw.dim), dim: raw.dim, identities: files.map((f) => f.identity) };
}

describe("launchDatasetQuality", () => {
  it("rejects a bad launch before writing anything", async () => {
    const same = await gql(server.url, LAUNCH, { datasetId: ids.A, faceModelId: model.id, referenceDatasetId: ids.A });
    expect(same.errors?.[0]?.message).toMatch(/referenceDatasetId/);
    const noModel = await gql(server.url, LAUNCH, { datasetId: ids.A, faceModelId: "00000000-0000-0000-0000-000000000000", referenceDatasetId: ids.reference });
    expect(noModel.errors?.[0]?.message).toMatch(/face model/);
    const badLimit = await gql(server.url, LAUNCH, { datasetId: ids.A, faceModelId: model.id, referenceDatasetId: ids.reference, limit: 1 });
    expect(badLimit.errors?.[0]?.message).toMatch(/limit/);
  });

  for (const [key, limit] of [["A", null], ["B", 15]] as const) {
    it(`stores quality metrics equal to the pure functions on independent embeddings (${key}, limit ${limit})`, async () => {
      const launched = await gql(server.url, LAUNCH, { datasetId: ids[key], faceModelId: model.id, referenceDatasetId: ids.reference, limit });
      expect(launched.errors).toBeUndefined();
      const queued = launched.data.launchDatasetQuality;
      expect(queued).toMatchObject({
        kind: "DATASET_QUALITY",
        status: "QUEUED",
        dataset: { name: `quality-${key}` },
        transferMethod: { name: methods[key === "A" ? 0 : 1]!.name },
        faceModel: { name: "arcface-quality" },
      });
      expect(queued.params).not.toHaveProperty("mode");
      expect(queued.params).toMatchObject({ datasetId: ids[key], referenceDatasetId: ids.reference, limit });

      const run = await waitForRun(server.url, queued.id, 120_000);
      expect(run.error).toBeNull();
      expect(run.status).toBe("SUCCEEDED");

      const evaluated = await expectedEmbeddings(dirs[key]!, limit);
      const reference = await expectedEmbeddings(dirs.reference!, limit);
      const frechet = frechetDistance(evaluated.embeddings, reference.embeddings, evaluated.dim);
      const sep = identitySeparability(evaluated.embeddings, evaluated.dim, (i) => evaluated.identities[i]!);
      const stored = Object.fromEntries(run.metrics.map((m: any) => [m.name, m]));
      expect(run.metrics.every((m: any) => m.benchmark === null && m.std === null)).toBe(true);
      expect(stored["quality:frechet"].value).toBe(frechet);
      expect(stored["quality:intra_cosine"].value).toBe(sep.intraCosine);
      expect(stored["quality:inter_cosine"].value).toBe(sep.interCosine);
      expect(stored["quality:separability"].value).toBe(sep.separability);
      expect(frechet).toBeGreaterThan(0);
      expect(run.details.quality).toMatchObject({
        images: evaluated.identities.length,
        referenceImages: reference.identities.length,
        identities: new Set(evaluated.identities).size,
        dim: 32,
        sampledPairs: false,
      });
    }, 150_000);
  }
});

describe("qualityCorrelations", () => {
  it("gives Spearman's rho across datasets with both a quality value and leaderboard means", async () => {
    // S1..S4: quality values and LFW / CFP-FP means (two seeds each) with hand-known ranks.
    const frechet = [10, 20, 30, 40];
    const separability = [0.5, 0.3, 0.4, 0.1];
    const lfw = [0.99, 0.98, 0.97, 0.96];
    const cfp = [0.9, 0.9, 0.85, 0.95]; // a tie: average ranks 2.5, 2.5
    for (let i = 0; i < 4; i++) {
      const datasetId = await createDataset(server.url, { name: `synthetic-S${i + 1}`, kind: "REALISM_TRANSFERRED", sourceDatasetId: real, transferMethodId: methods[i % methods.length]!.id });
      await createRun(server.url, {
        datasetId,
        kind: "DATASET_QUALITY",
        points: [
          { name: "quality:frechet", value: frechet[i]! },
          { name: "quality:separability", value: separability[i]! },
        ],
      });
      for (const [seed, delta] of [[1, 0.005], [2, -0.005]] as const) {
        await createRun(server.url, { datasetId, seed, accuracy: { LFW: lfw[i]! + delta, "CFP-FP": cfp[i]! + delta } });
      }
    }
    // Excluded: quality without leaderboard runs (also A and B above), leaderboard runs without quality,
    // and a failed quality run.
    const lonely = await createDataset(server.url, { name: "synthetic-no-quality", kind: "SYNTHETIC" });
    await createRun(server.url, { datasetId: lonely, seed: 1, accuracy: { LFW: 0.5, "CFP-FP": 0.5 } });
    await createRun(server.url, { datasetId: lonely, kind: "DATASET_QUALITY", points: [{ name: "quality:frechet", value: 1 }], status: "FAILED" });

    const result = (await gqlData(server.url, CORRELATIONS, { benchmarks: ["LFW", "CFP-FP"], metric: "accuracy" })).qualityCorrelations;
    const find = (q: string, b: string) => result.find((r: any) => r.qualityMetric === q && r.benchmark === b);
    expect(result).toHaveLength(8); // 4 quality metrics x 2 columns

    const fl = find("quality:frechet", "LFW");
    expect(fl.n).toBe(4);
    expect(fl.metric).toBe("accuracy");
    expect(fl.rho).toBeCloseTo(-1, 12);
    expect(fl.points.map((p: any) => p.datasetName)).toEqual(["synthetic-S1", "synthetic-S2", "synthetic-S3", "synthetic-S4"]);
    expect(fl.points.map((p: any) => p.quality)).toEqual(frechet);
    fl.points.forEach((p: any, i: number) => expect(p.benchmarkMean).toBeCloseTo(lfw[i]!, 12));

    // separability ranks [4, 2, 3, 1] vs LFW ranks [4, 3, 2, 1]: 1 - 6 * 2 / (4 * 15) = 0.8.
    expect(find("quality:separability", "LFW").rho).toBeCloseTo(0.8, 12);
    // frechet ranks [1, 2, 3, 4] vs CFP-FP ranks [2.5, 2.5, 1, 4]: 1.5 / sqrt(5 * 4.5) = 1 / sqrt(10).
    expect(find("quality:frechet", "CFP-FP").rho).toBeCloseTo(1 / Math.sqrt(10), 12);

    // Metrics no dataset with leaderboard runs has: n = 0, rho null.
    expect(find("quality:intra_cosine", "LFW")).toMatchObject({ n: 0, rho: null, points: [] });
  });
});
