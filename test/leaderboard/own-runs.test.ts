// Own runs on the leaderboard: repeated seeds grouped into rows (by default
// everything but the seed), mean / population or sample std / n exact, the average
// column, best flags, baseline deltas, filters, order and the exports.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql, gqlData } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { createDataset, createRun, csvRecords, idOf, markdownRows, mean, populationStd, sampleStd } from "./helpers";

let server: TestServer;
let before: Date;
const runs: Record<string, string[]> = { A: [], B: [], C: [] };

// Config A: CodeFormer-transferred DigiFace1M, lr 0.1, three seeds (seed also in params).
const A = { lfw: [0.93, 0.935, 0.925], lfwStd: [0.003, 0.004, 0.005], cfp: [0.902, 0.893, 0.905] };
// Config B: same data, lr 0.01, two seeds; the second has no CFP-FP value.
const B = { lfw: [0.92, 0.938], cfp: [0.88] };
// Config C: plain DigiFace1M, lr 0.1, two seeds.
const C = { lfw: [0.94, 0.942], cfp: [0.885, 0.887] };

const perRunAvg = (lfw: number[], cfp: number[]) => cfp.map((v, i) => (lfw[i]! + v) / 2);

beforeAll(async () => {
  server = await startTestServer();
  const digi = await idOf(server.url, "dataset", "DigiFace1M");
  const codeformer = await idOf(server.url, "transferMethod", "CodeFormer");
  const transferred = await createDataset(server.url, {
    name: "DigiFace1M-CodeFormer",
    kind: "REALISM_TRANSFERRED",
    requirement: "NONE",
    sourceDatasetId: digi,
    transferMethodId: codeformer,
  });
  await new Promise((r) => setTimeout(r, 20));
  before = new Date();
  for (const [i, seed] of [1, 2, 3].entries()) {
    runs.A!.push(
      await createRun(server.url, {
        datasetId: transferred,
        transferMethodId: codeformer,
        seed,
        params: { lr: 0.1, epochs: 20, seed },
        group: "cf-lr0.1",
        accuracy: { LFW: [A.lfw[i]!, A.lfwStd[i]!], "CFP-FP": A.cfp[i]! },
      }),
    );
  }
  for (const [i, seed] of [1, 2].entries()) {
    runs.B!.push(
      await createRun(server.url, {
        datasetId: transferred,
        transferMethodId: codeformer,
        seed,
        params: { lr: 0.01, epochs: 20 },
        group: "cf-lr0.01",
        accuracy: { LFW: B.lfw[i]!, ...(i === 0 ? { "CFP-FP": B.cfp[0]! } : {}) },
      }),
    );
  }
  for (const [i, seed] of [1, 2].entries()) {
    runs.C!.push(
      await createRun(server.url, {
        datasetId: digi,
        seed,
        params: { lr: 0.1, epochs: 20 },
        group: "digi-lr0.1",
        accuracy: { LFW: C.lfw[i]!, "CFP-FP": C.cfp[i]! },
      }),
    );
  }
  // Never on the leaderboard: a run still going, a failed one, a TRAIN run.
  await createRun(server.url, { datasetId: transferred, transferMethodId: codeformer, seed: 4, params: { lr: 0.1, epochs: 20 }, accuracy: { LFW: 0.1 }, status: "RUNNING" });
  await createRun(server.url, { datasetId: transferred, transferMethodId: codeformer, seed: 5, params: { lr: 0.1, epochs: 20 }, accuracy: { LFW: 0.2 }, status: "FAILED" });
  await createRun(server.url, { kind: "TRAIN", datasetId: digi, seed: 6, params: { lr: 0.1, epochs: 20 }, accuracy: { LFW: 0.3 } });
});
afterAll(() => server?.close());

const BOARD = `query($benchmarks: [String!], $groupBy: LeaderboardGroupBy, $filter: LeaderboardFilter, $baseline: LeaderboardRowSelector,
                     $std: StdKind, $best: LeaderboardBest, $orderBy: LeaderboardOrder, $columns: [LeaderboardColumnInput!]) {
  leaderboard(benchmarks: $benchmarks, columns: $columns, groupBy: $groupBy, filter: $filter, baseline: $baseline, std: $std, best: $best, orderBy: $orderBy) {
    std hasAverage
    groupBy { dataset transferMethod params exceptParams group }
    columns { label metric }
    baseline { key }
    rows {
      key label published runCount runIds seeds params group kind requirement isBaseline
      dataset { name } baseDataset { name } transferMethod { name }
      cells { column n mean std stdFrom runStd best delta text }
      average { n mean std stdFrom best delta text }
    }
  }
}`;

async function board(variables: Record<string, unknown> = {}) {
  return (await gqlData(server.url, BOARD, { benchmarks: ["LFW", "CFP-FP"], filter: { published: false }, ...variables })).leaderboard;
}

const idsOf = (rows: any[]) => rows.map((r) => [...r.runIds].sort());

describe("grouping own runs", () => {
  it("groups repeated seeds into one row per configuration (everything but the seed) with exact mean, population std and n", async () => {
    const lb = await board();
    expect(lb.std).toBe("POPULATION");
    expect(lb.groupBy).toEqual({ dataset: true, transferMethod: true, params: null, exceptParams: ["train.seed", "transfer.seed", "evaluate.seed"], group: false });
    expect(lb.columns.map((c: any) => c.label)).toEqual(["LFW", "CFP-FP"]);
    expect(idsOf(lb.rows)).toEqual([[...runs.A!].sort(), [...runs.B!].sort(), [...runs.C!].sort()]);

    const [a, b, c] = lb.rows;
    expect(a).toMatchObject({
      published: false,
      runCount: 3,
      seeds: [1, 2, 3],
      // The effective configuration minus seeds: an externally tracked evaluation's own params.
      params: { "evaluate.lr": 0.1, "evaluate.epochs": 20 },
      kind: "REALISM_TRANSFERRED",
      requirement: "NONE",
      dataset: { name: "DigiFace1M-CodeFormer" },
      baseDataset: { name: "DigiFace1M" },
      transferMethod: { name: "CodeFormer" },
      // Dataset, method and only the config values that differ between rows.
      label: "CodeFormer on DigiFace1M (lr=0.1)",
      isBaseline: false,
    });
    expect(a.cells[0].n).toBe(3);
    expect(a.cells[0].mean).toBeCloseTo(mean(A.lfw), 12);
    expect(a.cells[0].std).toBeCloseTo(populationStd(A.lfw), 12);
    expect(a.cells[0].runStd).toBeCloseTo(0.004, 12); // mean of the logged fold stds
    expect(a.cells[0].stdFrom).toBe("RUNS");
    expect(a.cells[0].text).toBe(`${(mean(A.lfw) * 100).toFixed(2)}±${(populationStd(A.lfw) * 100).toFixed(2)}`);
    expect(a.cells[1].mean).toBeCloseTo(mean(A.cfp), 12);
    expect(a.cells[1].std).toBeCloseTo(populationStd(A.cfp), 12);
    expect(a.cells[1].runStd).toBeNull();

    // Average column: mean and std over the per-run averages (the paper's Avg std),
    // which differ from the mean of the column stds.
    const avgA = perRunAvg(A.lfw, A.cfp);
    expect(a.average.n).toBe(3);
    expect(a.average.mean).toBeCloseTo(mean([mean(A.lfw), mean(A.cfp)]), 12);
    expect(a.average.std).toBeCloseTo(populationStd(avgA), 12);
    expect(Math.abs(a.average.std - mean([populationStd(A.lfw), populationStd(A.cfp)]))).toBeGreaterThan(1e-4);

    // B: the run without CFP-FP counts for LFW, not for CFP-FP or the average.
    expect(b.runCount).toBe(2);
    expect(b.params).toEqual({ "evaluate.lr": 0.01, "evaluate.epochs": 20 });
    expect(b.cells.map((x: any) => x.n)).toEqual([2, 1]);
    expect(b.cells[0].mean).toBeCloseTo(mean(B.lfw), 12);
    expect(b.cells[1]).toMatchObject({ mean: 0.88, std: 0 });
    expect(b.average).toMatchObject({ n: 1, std: 0 });
    expect(b.average.mean).toBeCloseTo(0.9, 12);

    expect(c).toMatchObject({ kind: "SYNTHETIC", requirement: "NONE", transferMethod: null, dataset: { name: "DigiFace1M" }, baseDataset: null });
    expect(c.cells[0].mean).toBeCloseTo(mean(C.lfw), 12);
  });

  it("gives the sample std on request and says so", async () => {
    const lb = await board({ std: "SAMPLE" });
    expect(lb.std).toBe("SAMPLE");
    const [a, b] = lb.rows;
    expect(a.cells[0].std).toBeCloseTo(sampleStd(A.lfw), 12);
    expect(a.cells[1].std).toBeCloseTo(sampleStd(A.cfp), 12);
    expect(a.average.std).toBeCloseTo(sampleStd(perRunAvg(A.lfw, A.cfp)), 12);
    expect(b.cells[1].std).toBeNull(); // one run: no sample std
    expect(b.cells[0].std).toBeCloseTo(sampleStd(B.lfw), 12);
  });

  it("groups by any param, by nothing but the method and dataset, or by the run group", async () => {
    const noParams = await board({ groupBy: { params: [] } });
    expect(idsOf(noParams.rows)).toEqual([[...runs.A!, ...runs.B!].sort(), [...runs.C!].sort()]);
    expect(noParams.rows[0].params).toBeNull();
    expect(noParams.rows[0].cells[0].n).toBe(5);
    expect(noParams.rows[0].cells[0].mean).toBeCloseTo(mean([...A.lfw, ...B.lfw]), 12);
    expect(noParams.rows[0].cells[0].std).toBeCloseTo(populationStd([...A.lfw, ...B.lfw]), 12);

    const byLr = await board({ groupBy: { dataset: false, transferMethod: false, params: ["evaluate.lr"] } });
    expect(byLr.rows.map((r: any) => r.params)).toEqual([{ "evaluate.lr": 0.1 }, { "evaluate.lr": 0.01 }]);
    expect(byLr.rows[0].runCount).toBe(5);
    expect(byLr.rows[0].kind).toBeNull(); // transferred and plain DigiFace1M together
    expect(byLr.rows[0].requirement).toBe("NONE");
    expect(byLr.rows[0].dataset).toBeNull();
    expect(byLr.rows[0].cells[1].mean).toBeCloseTo(mean([...A.cfp, ...C.cfp]), 12);

    const bySeedToo = await board({ groupBy: { exceptParams: [] } });
    expect(bySeedToo.rows).toHaveLength(7); // seeds are config (evaluate.seed): each run is its own row
    expect(bySeedToo.rows.slice(0, 3).map((r: any) => r.params["evaluate.seed"])).toEqual([1, 2, 3]);

    // Run ids are fetched only when selected, fragments included.
    const viaFragment = await gqlData(
      server.url,
      `query { leaderboard(benchmarks: ["LFW"], filter: { published: false }) { rows { ...R } baseline { key } } }
       fragment R on LeaderboardRow { label ... on LeaderboardRow { runIds seeds } }`,
    );
    expect(viaFragment.leaderboard.rows.map((r: any) => [...r.runIds].sort())).toEqual(idsOf((await board()).rows));
    expect(viaFragment.leaderboard.rows[0].seeds).toEqual([1, 2, 3]);

    const byGroup = await board({ groupBy: { params: [], group: true } });
    expect(byGroup.rows.map((r: any) => r.group)).toEqual(["cf-lr0.1", "cf-lr0.01", "digi-lr0.1"]);
  });
});

describe("best, baseline and order", () => {
  it("marks the best per column (ties included) and per requirement class when asked", async () => {
    const own = await board();
    // LFW: C (0.941) best; CFP-FP: A (0.90); average: A (0.915 vs C 0.9135).
    expect(own.rows.map((r: any) => r.cells.map((c: any) => c.best))).toEqual([[false, true], [false, false], [true, false]]);
    expect(own.rows.map((r: any) => r.average.best)).toEqual([true, false, false]);

    const all = await board({ filter: {} });
    const lfwBest = all.rows.filter((r: any) => r.cells[0].best);
    expect(lfwBest.map((r: any) => r.label)).toEqual(["WebFace4M (published)"]);
    const perRequirement = await board({ filter: {}, best: { scope: "PER_REQUIREMENT", skipRequirements: ["PRETRAINED_FR"] } });
    const bestLabels = perRequirement.rows.filter((r: any) => r.cells[0].best).map((r: any) => r.label);
    // Real data is its own class; among No-Req rows own run C beats the published CodeFormer 93.07.
    expect(bestLabels).toEqual(["WebFace4M (published)", "DigiFace1M (lr=0.1)"]);
  });

  it("computes deltas against a baseline picked by key or by fields, and refuses an ambiguous one", async () => {
    const first = await board();
    const cKey = first.rows[2].key;
    const lb = await board({ baseline: { key: cKey } });
    expect(lb.baseline.key).toBe(cKey);
    const [a, b, c] = lb.rows;
    expect(c.isBaseline).toBe(true);
    expect(c.cells.map((x: any) => x.delta)).toEqual([0, 0]);
    expect(a.cells[0].delta).toBeCloseTo(mean(A.lfw) - mean(C.lfw), 12);
    expect(a.cells[1].delta).toBeCloseTo(mean(A.cfp) - mean(C.cfp), 12);
    expect(a.average.delta).toBeCloseTo(mean(perRunAvg(A.lfw, A.cfp)) - mean(perRunAvg(C.lfw, C.cfp)), 12);
    expect(b.cells[1].delta).toBeCloseTo(0.88 - mean(C.cfp), 12);

    const byFields = await board({ filter: {}, baseline: { dataset: "DigiFace1M", transferMethod: null, published: false } });
    expect(byFields.baseline.key).toBe(cKey);
    const published = byFields.rows.find((r: any) => r.label === "CodeFormer on DigiFace1M (published)");
    expect(published.cells[0].delta).toBeCloseTo(0.9307 - mean(C.lfw), 12);

    const ambiguous = await gql(server.url, BOARD, { benchmarks: ["LFW"], baseline: { dataset: "DigiFace1M-CodeFormer" } });
    expect(ambiguous.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "baseline" });
    expect(ambiguous.errors?.[0]?.message).toContain("2 rows match");
    const missing = await gql(server.url, BOARD, { benchmarks: ["LFW"], baseline: { key: "nope" } });
    expect(missing.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "baseline.key" });
  });

  it("orders rows stably by first run, average, a column or label", async () => {
    const keys = (lb: any) => lb.rows.map((r: any) => r.label);
    const byFirst = keys(await board());
    expect(byFirst).toEqual(["CodeFormer on DigiFace1M (lr=0.1)", "CodeFormer on DigiFace1M (lr=0.01)", "DigiFace1M (lr=0.1)"]);
    expect(keys(await board({ orderBy: { field: "AVERAGE" } }))).toEqual([byFirst[0], byFirst[2], byFirst[1]]);
    expect(keys(await board({ orderBy: { field: "COLUMN", column: 0 } }))).toEqual([byFirst[2], byFirst[0], byFirst[1]]);
    expect(keys(await board({ orderBy: { field: "COLUMN", column: 0, direction: "ASC" } }))).toEqual([byFirst[1], byFirst[0], byFirst[2]]);
    expect(keys(await board({ orderBy: { field: "LABEL" } }))).toEqual([...byFirst].sort());
    // The same request twice gives the same order and keys.
    expect((await board()).rows.map((r: any) => r.key)).toEqual((await board()).rows.map((r: any) => r.key));
  });
});

describe("filters", () => {
  const labels = async (filter: Record<string, unknown>) => (await board({ filter })).rows.map((r: any) => r.label);

  it("filters by requirement, dataset kind, published, dataset, method and finish time", async () => {
    expect(await labels({ requirement: ["PRETRAINED_FR"] })).toEqual(["IDiffFace (published)", "DCFace (published)"]);
    expect(await labels({ datasetKind: ["REAL"] })).toEqual(["WebFace4M (published)"]);
    expect(await labels({ datasetKind: ["REALISM_TRANSFERRED"] })).toEqual([
      "VSAIT on DigiFace1M (published)",
      "CodeFormer on DigiFace1M (published)",
      "CodeFormer on DigiFace1M (lr=0.1)",
      "CodeFormer on DigiFace1M (lr=0.01)",
    ]);
    expect(await labels({ published: true })).toHaveLength(6);
    // A dataset also matches the data transferred from it.
    expect(await labels({ published: false, datasets: ["DigiFace1M"] })).toHaveLength(3);
    expect(await labels({ transferMethods: ["CodeFormer"], published: false })).toHaveLength(2);
    expect(await labels({ finishedBefore: before.toISOString() })).toHaveLength(6); // only the seeded published rows
    expect(await labels({ finishedAfter: before.toISOString() })).toHaveLength(3);
    expect(await labels({ finishedAfter: new Date(Date.now() + 3_600_000).toISOString() })).toEqual([]);
  });

  it("names the argument that was wrong", async () => {
    const unknownBenchmark = await gql(server.url, BOARD, { columns: [{ benchmark: "MegaFace" }] });
    expect(unknownBenchmark.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "columns[0].benchmark" });
    const noColumn = await gql(server.url, BOARD, { benchmarks: ["LFW"], orderBy: { field: "COLUMN" } });
    expect(noColumn.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "orderBy.column" });
    const badRange = await gql(server.url, BOARD, { filter: { finishedAfter: "2026-01-02T00:00:00Z", finishedBefore: "2026-01-01T00:00:00Z" } });
    expect(badRange.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "filter.finishedBefore" });
    const unknownDataset = await gql(server.url, BOARD, { filter: { datasets: ["NoSuchFaces"] } });
    expect(unknownDataset.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "filter.datasets[0]" });
  });
});

describe("exports of own runs", () => {
  it("shows runs per row, the params that differ, deltas, and marks published rows", async () => {
    const md = (
      await gqlData(
        server.url,
        `query { leaderboardExport(format: MARKDOWN, benchmarks: ["LFW", "CFP-FP"], filter: { datasets: ["DigiFace1M"] },
                 baseline: { dataset: "DigiFace1M", transferMethod: null, published: true }) { content } }`,
      )
    ).leaderboardExport.content as string;
    const [header, ...rows] = markdownRows(md);
    expect(header).toEqual(["Transfer Method", "Dataset", "Type", "SynGen Req", "lr", "Runs", "LFW", "CFP-FP", "Avg"]);
    const a = rows.find((r) => r[4] === "0.1" && r[0] === "CodeFormer")!;
    const lfw = `${(mean(A.lfw) * 100).toFixed(2)}±${(populationStd(A.lfw) * 100).toFixed(2)}`;
    expect(a.slice(0, 6)).toEqual(["CodeFormer", "DigiFace1M", "Syn-RT", "No-Req", "0.1", "3"]);
    expect(a[6]).toBe(`${lfw} (+${((mean(A.lfw) - 0.9129) * 100).toFixed(2)})`);
    const publishedDigi = rows.find((r) => r[0] === "None" && r[1] === "DigiFace1M" && r[5] === "published")!;
    // Over two of its five benchmarks the paper's Avg does not apply: the mean of the two
    // cells, without a std (the paper's per-run values are unknown).
    expect(publishedDigi.slice(6)).toEqual(["91.29±0.57 (0.00)", "88.62±0.69 (0.00)", "89.96 (0.00)"]);
    // C is the best LFW row (0.941 > CodeFormer's published 0.9307): bold.
    const c = rows.find((r) => r[0] === "None" && r[5] === "2")!;
    expect(c[6]).toMatch(/^\*\*94\.10±0\.10\*\* \(\+2\.81\)$/);

    const csv = await (await fetch(`${server.url.replace(/\/graphql$/, "")}/leaderboard.csv?benchmarks=LFW,CFP-FP&published=false&std=sample`)).text();
    const records = csvRecords(csv);
    expect(records).toHaveLength(3);
    expect(records[0]).toMatchObject({ "param evaluate.lr": "0.1", runs: "3", published: "false", "LFW n": "3", "CFP-FP best": "true", "LFW non_standard": "false" });
    expect(records[0]!["LFW std"]).toBe((sampleStd(A.lfw) * 100).toFixed(2));
    expect(records[1]).toMatchObject({ "param evaluate.lr": "0.01", "CFP-FP n": "1", "CFP-FP std": "", "Avg n": "1" });
  });
});
