// compareRuns (params side by side with differences flagged, metrics, ROC curves of
// one benchmark, training curves by step), the Table 1 timings query, and the
// leaderboard's rule for a cell logged at several steps.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql, gqlData } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { createDataset, createRun, idOf, mean, populationStd } from "./helpers";

let server: TestServer;
let digi: string;
let codeformer: string;
let vsait: string;
beforeAll(async () => {
  server = await startTestServer();
  digi = await idOf(server.url, "dataset", "DigiFace1M");
  codeformer = await idOf(server.url, "transferMethod", "CodeFormer");
  vsait = await idOf(server.url, "transferMethod", "VSAIT");
});
afterAll(() => server?.close());

const COMPARE = `query($ids: [ID!]!, $benchmark: String!) {
  compareRuns(ids: $ids) {
    runs { id seed }
    params { key values differs }
    differingParams
    ownParams { key values differs }
    settings { key values differs }
    metrics { benchmark { name } name differs values { runId value std step } }
    curves(benchmark: $benchmark) { run { id } curve { kind benchmark { name } points } }
    histories { run { id } name benchmark { name } points { step value } }
    lossOnly: histories(names: ["loss"]) { run { id } points { step value } }
  }
}`;

describe("compareRuns", () => {
  it("puts params, metrics, ROC curves and training curves of runs side by side", async () => {
    const first = await createRun(server.url, {
      datasetId: digi,
      transferMethodId: codeformer,
      seed: 1,
      params: { optimizer: { name: "sgd", lr: 0.1 }, epochs: 20, augment: true },
      accuracy: { LFW: [0.93, 0.004] },
      points: [
        { name: "tar@fmr=1e-4", benchmark: "IJB-C", value: 0.45 },
        ...[0, 1, 2].map((step) => ({ name: "loss", value: 2 - step * 0.5, step })),
      ],
    });
    const second = await createRun(server.url, {
      datasetId: digi,
      transferMethodId: codeformer,
      seed: 2,
      params: { optimizer: { name: "sgd", lr: 0.05 }, epochs: 20 },
      accuracy: { LFW: 0.93 },
      points: [...[0, 1].map((step) => ({ name: "loss", value: 1.8 - step * 0.4, step }))],
    });
    // ROC curves are written by the evaluation runner; here through the same store it uses.
    const [ijbc] = (await gqlData(server.url, `{ benchmarks { id name } }`)).benchmarks.filter((b: any) => b.name === "IJB-C");
    const roc = { x: [0, 1e-6, 1e-4, 1], y: [0, 0.2, 0.45, 1] };
    await server.app.services.stores.metrics.upsertCurve({ runId: first, benchmarkId: ijbc.id, kind: "ROC", points: roc });

    const data = (await gqlData(server.url, COMPARE, { ids: [first, second], benchmark: "IJB-C" })).compareRuns;
    expect(data.runs.map((r: any) => [r.id, r.seed])).toEqual([[first, 1], [second, 2]]);
    // The effective configurations: lineage (dataset, method) and own params, namespaced.
    expect(data.params).toEqual([
      { key: "dataset", values: ["DigiFace1M", "DigiFace1M"], differs: false },
      { key: "evaluate.augment", values: [true, null], differs: true },
      { key: "evaluate.epochs", values: [20, 20], differs: false },
      { key: "evaluate.optimizer.lr", values: [0.1, 0.05], differs: true },
      { key: "evaluate.optimizer.name", values: ["sgd", "sgd"], differs: false },
      { key: "evaluate.seed", values: [1, 2], differs: true },
      { key: "transfer.method", values: ["CodeFormer", "CodeFormer"], differs: false },
    ]);
    expect(data.differingParams).toEqual(["evaluate.augment", "evaluate.optimizer.lr", "evaluate.seed"]);
    expect(data.ownParams).toEqual([
      { key: "augment", values: [true, null], differs: true },
      { key: "epochs", values: [20, 20], differs: false },
      { key: "optimizer.lr", values: [0.1, 0.05], differs: true },
      { key: "optimizer.name", values: ["sgd", "sgd"], differs: false },
    ]);
    const settings = Object.fromEntries(data.settings.map((s: any) => [s.key, s]));
    expect(settings.seed).toEqual({ key: "seed", values: [1, 2], differs: true });
    expect(settings.transferMethodId).toEqual({ key: "transferMethodId", values: [codeformer, codeformer], differs: false });

    expect(data.metrics).toEqual([
      { benchmark: null, name: "loss", differs: true, values: [{ runId: first, value: 1, std: null, step: 2 }, { runId: second, value: 1.4, std: null, step: 1 }] },
      { benchmark: { name: "IJB-C" }, name: "tar@fmr=1e-4", differs: true, values: [{ runId: first, value: 0.45, std: null, step: 0 }, { runId: second, value: null, std: null, step: null }] },
      { benchmark: { name: "LFW" }, name: "accuracy", differs: false, values: [{ runId: first, value: 0.93, std: 0.004, step: 0 }, { runId: second, value: 0.93, std: null, step: 0 }] },
    ]);

    expect(data.curves).toEqual([
      { run: { id: first }, curve: { kind: "ROC", benchmark: { name: "IJB-C" }, points: roc } },
      { run: { id: second }, curve: null },
    ]);
    // Without names: every metric with more than one step (here the loss).
    expect(data.histories).toEqual([
      { run: { id: first }, name: "loss", benchmark: null, points: [{ step: 0, value: 2 }, { step: 1, value: 1.5 }, { step: 2, value: 1 }] },
      { run: { id: second }, name: "loss", benchmark: null, points: [{ step: 0, value: 1.8 }, { step: 1, value: 1.4 }] },
    ]);
    expect(data.lossOnly.map((h: any) => h.points.length)).toEqual([3, 2]);
  });

  it("refuses unknown, repeated or too many ids", async () => {
    const unknown = await gql(server.url, `query { compareRuns(ids: ["00000000-0000-4000-8000-000000000000"]) { runs { id } } }`);
    expect(unknown.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const run = await createRun(server.url, { datasetId: digi, accuracy: { LFW: 0.9 } });
    const twice = await gql(server.url, `query($ids: [ID!]!) { compareRuns(ids: $ids) { runs { id } } }`, { ids: [run, run] });
    expect(twice.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "ids" });
    const many = await gql(server.url, `query($ids: [ID!]!) { compareRuns(ids: $ids) { runs { id } } }`, { ids: Array.from({ length: 51 }, (_, i) => `${run.slice(0, -2)}${String(i).padStart(2, "0")}`) });
    expect(many.errors?.[0]?.message).toContain("at most 50");
  });
});

describe("transferMethodTimings (Table 1)", () => {
  it("reports measured seconds per image per method and device beside the published figure", async () => {
    const transfer = (method: string, device: string, points: Array<{ name: string; value: number }>, status: "SUCCEEDED" | "RUNNING" = "SUCCEEDED") =>
      createRun(server.url, { kind: "TRANSFER", datasetId: digi, transferMethodId: method, device, points, status });
    await transfer(codeformer, "cuda:NVIDIA H100", [{ name: "seconds_per_image", value: 0.2 }]);
    await transfer(codeformer, "cuda:NVIDIA H100", [{ name: "seconds_per_image", value: 0.3 }, { name: "images_per_second", value: 3.3 }]);
    await transfer(codeformer, "cpu", [{ name: "images_per_second", value: 0.5 }]); // 2 s per image
    await transfer(codeformer, "cpu", [{ name: "seconds_per_image", value: 99 }], "RUNNING"); // not finished: left out
    await transfer(vsait, "cpu", [{ name: "seconds_per_image", value: 0.04 }]);

    const rows = (
      await gqlData(
        server.url,
        `query { transferMethodTimings { method { name } publishedSecondsPerImage publishedDevice qualitative
                 measured { device secondsPerImage std runs minSecondsPerImage maxSecondsPerImage ratioToPublished lastRunAt } } }`,
      )
    ).transferMethodTimings;
    expect(rows.map((r: any) => r.method.name)).toEqual(["CodeFormer", "VSAIT", "DECENT", "UNSB-NE-1", "UNSB-NE-5", "DDIM Inversion", "StyleGAN Inversion"]);
    const cf = rows[0];
    expect(cf).toMatchObject({ publishedSecondsPerImage: 0.41, publishedDevice: "NVIDIA RTX 3090 Ti", qualitative: "GOOD" });
    expect(cf.measured.map((m: any) => [m.device, m.runs])).toEqual([["cpu", 1], ["cuda:NVIDIA H100", 2]]);
    const [cpu, h100] = cf.measured;
    expect(cpu.secondsPerImage).toBeCloseTo(2, 12);
    expect(cpu.std).toBe(0);
    expect(h100.secondsPerImage).toBeCloseTo(mean([0.2, 0.3]), 12);
    expect(h100.std).toBeCloseTo(populationStd([0.2, 0.3]), 12);
    expect([h100.minSecondsPerImage, h100.maxSecondsPerImage]).toEqual([0.2, 0.3]);
    expect(h100.ratioToPublished).toBeCloseTo(0.25 / 0.41, 12);
    expect(typeof h100.lastRunAt).toBe("string");
    expect(rows[1].measured).toEqual([expect.objectContaining({ device: "cpu", secondsPerImage: 0.04, runs: 1 })]);
    expect(rows[1].publishedSecondsPerImage).toBe(0.015);
    expect(rows.find((r: any) => r.method.name === "UNSB-NE-5")).toMatchObject({ publishedSecondsPerImage: 0.38, measured: [] });
    expect(rows.find((r: any) => r.method.name === "StyleGAN Inversion")).toMatchObject({ publishedSecondsPerImage: null, measured: [] });

    const sample = (await gqlData(server.url, `query { transferMethodTimings(std: SAMPLE, methods: ["CodeFormer"]) { method { name } measured { device std } } }`)).transferMethodTimings;
    expect(sample).toHaveLength(1);
    expect(sample[0].measured[0].std).toBeNull();
    expect(sample[0].measured[1].std).toBeCloseTo(Math.sqrt(0.005), 12);
  });
});

describe("a leaderboard cell logged at several steps", () => {
  it("counts each run's value at its highest step, in the mean, the std and the average", async () => {
    const dataset = await createDataset(server.url, { name: "Steps-DS", kind: "SYNTHETIC", requirement: "NONE" });
    // Run 1 was evaluated at checkpoints 0 and 5 (LFW) and once on CFP-FP; run 2 once each.
    await createRun(server.url, {
      datasetId: dataset,
      seed: 1,
      points: [
        { name: "accuracy", benchmark: "LFW", value: 0.5, std: 0.05, step: 0 },
        { name: "accuracy", benchmark: "LFW", value: 0.9, std: 0.01, step: 5 },
        { name: "accuracy", benchmark: "CFP-FP", value: 0.8 },
      ],
    });
    await createRun(server.url, { datasetId: dataset, seed: 2, accuracy: { LFW: [0.94, 0.03], "CFP-FP": 0.86 } });
    const lb = (
      await gqlData(
        server.url,
        `query { leaderboard(benchmarks: ["LFW", "CFP-FP"], filter: { datasets: ["Steps-DS"] }) {
                   rows { runCount cells { n mean std runStd } average { n mean std } } } }`,
      )
    ).leaderboard;
    expect(lb.rows).toHaveLength(1);
    const [row] = lb.rows;
    expect(row.runCount).toBe(2);
    expect(row.cells[0].n).toBe(2);
    expect(row.cells[0].mean).toBeCloseTo(mean([0.9, 0.94]), 12);
    expect(row.cells[0].std).toBeCloseTo(populationStd([0.9, 0.94]), 12);
    expect(row.cells[0].runStd).toBeCloseTo(mean([0.01, 0.03]), 12);
    expect(row.cells[1].mean).toBeCloseTo(0.83, 12);
    expect(row.average.n).toBe(2);
    expect(row.average.mean).toBeCloseTo(mean([(0.9 + 0.8) / 2, (0.94 + 0.86) / 2]), 12);
    expect(row.average.std).toBeCloseTo(populationStd([(0.9 + 0.8) / 2, (0.94 + 0.86) / 2]), 12);
  });
});
