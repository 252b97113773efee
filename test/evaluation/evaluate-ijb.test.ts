// EVALUATE on an IJB-C-style folder (meta/ + pre-aligned crops in images/): the stored TAR@FMR
// values and thinned ROC equal the metrics library applied to embeddings computed here
// independently, with and without detection-score weighting; the same features as .npy agree.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tarAtFmr } from "../../src/domain/metric-names";
import { IJB_FMRS, ijbImageFeatures, ijbTarAtFmr, poolTemplates, scoreTemplatePairs, thinRoc, writeNpyFloat32 } from "../../src/metrics";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { embedIndependently, launchEvaluation, metricsOf, registerEmbeddingModel, waitForRun, writeIjbFolder, type FixtureModel, type IjbFolder } from "./helpers";

let server: TestServer;
let ijb: IjbFolder;
let model: FixtureModel;
let features: Awaited<ReturnType<typeof embedIndependently>>;

beforeAll(async () => {
  server = await startTestServer({ WORKER_IN_PROCESS: "true", HEARTBEAT_INTERVAL_MS: "300" });
  ijb = await writeIjbFolder(path.join(server.dataRoot, "ijbc-mini"));
  model = await registerEmbeddingModel(server.url, path.join(server.dataRoot, "models"), "adaface-fixture", "unit+norm", "BGR");
  features = await embedIndependently(model, ijb.crops);
});
afterAll(() => server?.close());

function expected(useDetectorScore: boolean) {
  const images = ijbImageFeatures(features.original, features.dim, {
    flipped: features.flipped,
    ...(useDetectorScore ? { detectorScores: ijb.scores } : {}),
  });
  const templates = poolTemplates(images, features.dim, ijb.templates, ijb.medias);
  const { roc, tar } = ijbTarAtFmr(ijb.labels, scoreTemplatePairs(templates, ijb.t1, ijb.t2), IJB_FMRS);
  return { tar, thin: thinRoc(roc), templates: templates.templateIds.length };
}

function expectSame(run: any, want: ReturnType<typeof expected>) {
  expect(run.status, run.error).toBe("SUCCEEDED");
  const metrics = metricsOf(run, "IJB-C");
  expect(Object.keys(metrics).sort()).toEqual(IJB_FMRS.map(tarAtFmr).sort());
  for (const t of want.tar) expect(metrics[tarAtFmr(t.fmr)]).toEqual({ value: t.tar, std: null });
  const roc = run.curves.find((c: any) => c.kind === "ROC" && c.benchmark.name === "IJB-C");
  expect(roc.points.x).toEqual(Array.from(want.thin.fpr));
  expect(roc.points.y).toEqual(Array.from(want.thin.tpr));
  expect(run.details.benchmarks["IJB-C"]).toMatchObject({
    pairs: ijb.labels.length, genuinePairs: 5, impostorPairs: ijb.labels.length - 5, images: ijb.crops.length, templates: want.templates,
  });
}

describe("launchEvaluation on an IJB-C folder", () => {
  it("stores TAR@FMR and the thinned ROC exactly as the reference computes them", async () => {
    const runs: Record<string, any> = {};
    for (const useDetectorScore of [true, false]) {
      const response = await launchEvaluation(server.url, {
        faceModelIds: [model.id],
        benchmarks: [{ name: "IJB-C", dataPath: ijb.dir }],
        options: { allowNonStandardSize: true, batchSize: 8, useDetectorScore },
      });
      expect(response.errors).toBeUndefined();
      const run = await waitForRun(server.url, response.data.launchEvaluation[0].id);
      expectSame(run, expected(useDetectorScore));
      expect(run.details.benchmarks["IJB-C"]).toMatchObject({ useDetectorScore, source: "model" });
      runs[String(useDetectorScore)] = run;
    }
    // The weighting changes the scores: the two runs' ROC thresholds differ.
    const thresholds = (run: any) => run.curves[0].points.thresholds;
    expect(thresholds(runs.true)).not.toEqual(thresholds(runs.false));
  });

  it("gives exactly the same numbers from the same features as .npy", async () => {
    const original = path.join(server.dataRoot, "ijb-original.npy");
    const flipped = path.join(server.dataRoot, "ijb-flipped.npy");
    writeNpyFloat32(original, features.original, [ijb.crops.length, features.dim]);
    writeNpyFloat32(flipped, features.flipped, [ijb.crops.length, features.dim]);
    const response = await launchEvaluation(server.url, {
      benchmarks: [{ name: "IJB-C", dataPath: ijb.dir, features: { original, flipped } }],
      options: { allowNonStandardSize: true },
    });
    expect(response.errors).toBeUndefined();
    const run = await waitForRun(server.url, response.data.launchEvaluation[0].id);
    expectSame(run, expected(true));
    expect(run.details.benchmarks["IJB-C"].source).toBe("features");
  });

  it("refuses streamed features holding NaN or Inf, naming the row", async () => {
    const original = path.join(server.dataRoot, "ijb-nan.npy");
    const bad = Float32Array.from(features.original);
    bad[3 * features.dim + 1] = Number.NaN;
    writeNpyFloat32(original, bad, [ijb.crops.length, features.dim]);
    const response = await launchEvaluation(server.url, {
      benchmarks: [{ name: "IJB-C", dataPath: ijb.dir, features: { original } }],
      options: { allowNonStandardSize: true },
    });
    expect(response.errors).toBeUndefined();
    const run = await waitForRun(server.url, response.data.launchEvaluation[0].id);
    expect(run.status).toBe("FAILED");
    expect(run.error).toMatch(/non-finite value \(NaN\) at row 3, column 1/);
  });
});
