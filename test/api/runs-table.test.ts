// The runs table through HTTP GraphQL against a real server and PostgreSQL: metric columns
// with aggregates over steps (LAST, BEST by direction, MIN, MAX, MEAN), config columns,
// sorting by any column with keyset paging that neither skips nor repeats runs, filters by
// config keys (exists) and metric thresholds, and clear errors for bad input.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql, gqlData } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";

let server: TestServer;
const runs: { id: string; epochs: number | null; losses: number[]; acc: number | null }[] = [];

const CREATE = `mutation($input: CreateRunInput!) { createRun(input: $input) { id config } }`;
const LOG = `mutation($runId: ID!, $points: [MetricPointInput!]!) { logMetrics(runId: $runId, points: $points) { inserted } }`;
const PAGE = `query($filter: RunFilter, $orderBy: RunOrder, $first: Int, $after: String) {
  runs(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes {
      id
      epochs: configValue(key: "train.epochs")
      lastLoss: metricValue(name: "train_loss")
      bestLoss: metricValue(name: "train_loss", aggregate: BEST)
      maxLoss: metricValue(name: "train_loss", aggregate: MAX)
      meanLoss: metricValue(name: "train_loss", aggregate: MEAN)
      acc: metricValue(name: "accuracy", benchmark: "LFW", aggregate: BEST)
      accMean: metricValue(name: "accuracy", benchmark: "LFW", aggregate: MEAN)
    }
  }
}`;
const GROUP = "runs-table-test";
const base = { group: GROUP };

beforeAll(async () => {
  server = await startTestServer();
  // 9 runs: epochs 1..3 (three without the key), losses falling over 3 steps, accuracy on LFW on some.
  for (let i = 0; i < 9; i++) {
    const epochs = i % 3 === 0 ? null : (i % 4) + 1;
    const params = epochs == null ? { lr: 0.1 } : { lr: 0.1, epochs };
    const { createRun } = await gqlData(server.url, CREATE, { input: { kind: "TRAIN", group: GROUP, params } });
    const losses = [1 + i / 10, 0.5 + i / 20, 0.8 - i / 40];
    const acc = i % 2 === 0 ? 0.9 + i / 100 : null;
    const points = [
      ...losses.map((value, step) => ({ name: "train_loss", value, step })),
      ...(acc == null ? [] : [{ name: "accuracy", benchmark: "LFW", value: acc - 0.1, step: 0 }, { name: "accuracy", benchmark: "LFW", value: acc, step: 1 }]),
    ];
    await gqlData(server.url, LOG, { runId: createRun.id, points });
    runs.push({ id: createRun.id, epochs, losses, acc });
  }
});
afterAll(() => server?.close());

async function page(variables: Record<string, unknown>) {
  return (await gqlData(server.url, PAGE, { ...variables, filter: { ...base, ...((variables.filter as object) ?? {}) } })).runs;
}

/** Every run in the order, following cursors `size` at a time. */
async function allPages(orderBy: Record<string, unknown>, size: number, filter: Record<string, unknown> = {}) {
  const ids: any[] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 50; guard++) {
    const result: any = await page({ orderBy, first: size, after, filter });
    ids.push(...result.nodes);
    if (!result.pageInfo.hasNextPage) return ids;
    after = result.pageInfo.endCursor;
  }
  throw new Error("paging did not end");
}

describe("runs table columns", () => {
  it("gives config values and metric aggregates over steps", async () => {
    const result = await page({ first: 50 });
    expect(result.totalCount).toBe(9);
    for (const node of result.nodes) {
      const run = runs.find((r) => r.id === node.id)!;
      expect(node.epochs).toBe(run.epochs);
      expect(node.lastLoss).toBeCloseTo(run.losses[2]!, 10);
      expect(node.bestLoss).toBeCloseTo(Math.min(...run.losses), 10); // a loss: lower is better
      expect(node.maxLoss).toBeCloseTo(Math.max(...run.losses), 10);
      expect(node.meanLoss).toBeCloseTo(run.losses.reduce((a, b) => a + b, 0) / 3, 10);
      if (run.acc == null) expect(node.acc).toBeNull();
      else expect(node.acc).toBeCloseTo(run.acc, 10); // accuracy: higher is better
    }
  });
});

describe("sorting with keyset paging", () => {
  it("sorts by a metric aggregate (BEST, MEAN) both ways, runs without the metric last, across pages", async () => {
    for (const [aggregate, field] of [["BEST", "acc"], ["MEAN", "accMean"]] as const)
    for (const direction of ["ASC", "DESC"] as const) {
      const nodes = await allPages({ field: "METRIC", direction, metric: { name: "accuracy", benchmark: "LFW", aggregate } }, 2);
      expect(nodes).toHaveLength(9);
      expect(new Set(nodes.map((n) => n.id)).size).toBe(9);
      const values = nodes.map((n) => n[field]);
      const present = values.filter((v) => v != null);
      expect(present).toEqual([...present].sort((a, b) => (direction === "ASC" ? a - b : b - a)));
      expect(values.slice(present.length).every((v) => v == null)).toBe(true);
    }
  });

  it("sorts by a config key (numbers numerically), missing keys last, across pages", async () => {
    const nodes = await allPages({ field: "CONFIG", direction: "ASC", configKey: "train.epochs" }, 4);
    expect(nodes.map((n) => n.id).sort()).toEqual(runs.map((r) => r.id).sort());
    const epochs = nodes.map((n) => n.epochs);
    expect(epochs.slice(0, 6)).toEqual([...epochs.slice(0, 6)].sort((a, b) => a - b));
    expect(epochs.slice(6)).toEqual([null, null, null]);
  });

  it("sorts by the last value of a loss, descending, with ties broken by id", async () => {
    const nodes = await allPages({ field: "METRIC", direction: "DESC", metric: { name: "train_loss" } }, 3);
    expect(nodes.map((n) => n.lastLoss)).toEqual(runs.map((r) => r.losses[2]).sort((a, b) => b! - a!));
  });

  it("refuses a cursor of another order", async () => {
    const first = await page({ orderBy: { field: "CREATED_AT", direction: "DESC" }, first: 2 });
    const result = await gql(server.url, PAGE, { filter: base, orderBy: { field: "METRIC", metric: { name: "train_loss" } }, after: first.pageInfo.endCursor });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "after" });
  });
});

describe("filters", () => {
  it("filters by config key presence and absence", async () => {
    const present = await page({ first: 50, filter: { config: [{ key: "train.epochs", exists: true }] } });
    expect(present.nodes.map((n: any) => n.id).sort()).toEqual(runs.filter((r) => r.epochs != null).map((r) => r.id).sort());
    const absent = await page({ first: 50, filter: { config: [{ key: "train.epochs", exists: false }] } });
    expect(absent.totalCount).toBe(3);
  });

  it("filters by a metric threshold on an aggregate, combined with a config range", async () => {
    const filter = { metrics: [{ name: "accuracy", benchmark: "LFW", aggregate: "BEST", gte: 0.93 }], config: [{ key: "train.epochs", gte: 1 }] };
    const result = await page({ first: 50, filter });
    const expected = runs.filter((r) => r.acc != null && r.acc >= 0.93 && r.epochs != null).map((r) => r.id).sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(result.nodes.map((n: any) => n.id).sort()).toEqual(expected);
    expect(result.totalCount).toBe(expected.length);
    const mean = await page({ first: 50, filter: { metrics: [{ name: "train_loss", aggregate: "MEAN", lt: 0.8 }] } });
    expect(mean.totalCount).toBe(runs.filter((r) => r.losses.reduce((a, b) => a + b, 0) / 3 < 0.8).length);
  });

  it("names the field of bad input", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ filter: { metrics: [{ name: "accuracy", benchmark: "NoSuchBench", gte: 0.5 }] } }, "filter.metrics[0].benchmark"],
      [{ filter: { metrics: [{ name: "accuracy" }] } }, "filter.metrics[0]"],
      [{ filter: { metrics: [{ name: "", gte: 1 }] } }, "filter.metrics[0].name"],
      [{ filter: { config: [{ key: "train.epochs", exists: true, eq: 3 }] } }, "filter.config[0]"],
      [{ orderBy: { field: "CONFIG", configKey: "bad key!" } }, "orderBy.configKey"],
      [{ orderBy: { field: "METRIC" } }, "orderBy.metric"],
      [{ after: "not-a-cursor" }, "after"],
    ];
    for (const [variables, field] of cases) {
      const result = await gql(server.url, `query($filter: RunFilter, $orderBy: RunOrder, $after: String) { runs(filter: $filter, orderBy: $orderBy, after: $after) { totalCount } }`, variables);
      expect(result.errors?.[0]?.extensions, JSON.stringify(variables)).toMatchObject({ code: "BAD_USER_INPUT", field });
    }
  });
});

describe("totalCount", () => {
  it("counts from the maintained run_count table exactly as a full count, through archive, restore and status changes", async () => {
    const count = async (filter: Record<string, unknown>) => (await gqlData(server.url, `query($f: RunFilter) { runs(filter: $f, first: 0) { totalCount } }`, { f: filter })).runs.totalCount;
    const allTrain = async (filter: Record<string, unknown>) => {
      let n = 0;
      let after: string | null = null;
      for (;;) {
        const r: any = (await gqlData(server.url, `query($f: RunFilter, $a: String) { runs(filter: $f, first: 500, after: $a) { nodes { id } pageInfo { hasNextPage endCursor } } }`, { f: filter, a: after })).runs;
        n += r.nodes.length;
        if (!r.pageInfo.hasNextPage) return n;
        after = r.pageInfo.endCursor;
      }
    };
    const filters = [{ kind: "TRAIN" }, { kind: "TRAIN", status: ["RUNNING"] }, { archived: true }, { archived: null, published: false }];
    const check = async () => {
      for (const f of filters) expect(await count(f), JSON.stringify(f)).toBe(await allTrain(f));
    };
    await check();
    await gqlData(server.url, `mutation($id: ID!) { archiveRun(id: $id) { id } }`, { id: runs[0]!.id });
    await gqlData(server.url, `mutation($id: ID!) { updateRun(id: $id, input: { status: SUCCEEDED }) { id } }`, { id: runs[1]!.id });
    await check();
    expect(await count({ archived: true })).toBeGreaterThan(0);
    await gqlData(server.url, `mutation($id: ID!) { restoreRun(id: $id) { id } }`, { id: runs[0]!.id });
    await check();
  });
});
