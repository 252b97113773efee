import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql, gqlData, subscribe, wsClient } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const LOG = `mutation($runId: ID!, $points: [MetricPointInput!]!) { logMetrics(runId: $runId, points: $points) { received inserted } }`;

async function newRun(): Promise<string> {
  return (await gqlData(server.url, `mutation { createRun(input: { kind: TRAIN }) { id } }`)).createRun.id;
}

async function countMetrics(runId: string): Promise<number> {
  const client = new pg.Client({ connectionString: server.database.url });
  await client.connect();
  const { rows } = await client.query("SELECT count(*)::int AS n FROM metric WHERE run_id = $1", [runId]);
  await client.end();
  return rows[0].n;
}

describe("logMetrics", () => {
  it("accepts 10,000 points in one call and a retried batch adds nothing", async () => {
    const runId = await newRun();
    const points = Array.from({ length: 10_000 }, (_, step) => ({ name: "loss", value: 1 / (step + 1), step }));
    const first = await gqlData(server.url, LOG, { runId, points });
    expect(first.logMetrics).toEqual({ received: 10_000, inserted: 10_000 });
    const retried = await gqlData(server.url, LOG, { runId, points });
    expect(retried.logMetrics).toEqual({ received: 10_000, inserted: 0 });
    expect(await countMetrics(runId)).toBe(10_000);

    const history = await gqlData(server.url, `query($id: ID!) { run(id: $id) { metricHistory(name: "loss") { step value } } }`, { id: runId });
    expect(history.run.metricHistory).toHaveLength(10_000);
    expect(history.run.metricHistory[9]).toEqual({ step: 9, value: 0.1 });
  });

  it("refuses more than 10,000 points, naming the limit, and stores none", async () => {
    const runId = await newRun();
    const points = Array.from({ length: 10_001 }, (_, step) => ({ name: "loss", value: 1, step }));
    const result = await gql(server.url, LOG, { runId, points });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "points" });
    expect(result.errors?.[0]?.message).toContain("10000");
    expect(await countMetrics(runId)).toBe(0);
  });

  it("stores per-benchmark metrics with std and filters them on the run", async () => {
    const runId = await newRun();
    await gqlData(server.url, LOG, {
      runId,
      points: [
        { name: "accuracy", value: 0.93, std: 0.0027, benchmark: "LFW" },
        { name: "accuracy", value: 0.9, std: 0.003, benchmark: "CFP-FP" },
        { name: "tar@fmr=1e-4", value: 0.45, benchmark: "IJB-C" },
        { name: "loss", value: 0.2, step: 3 },
      ],
    });
    const data = await gqlData(
      server.url,
      `query($id: ID!) { run(id: $id) {
          lfw: metrics(benchmark: "LFW") { name value std step benchmark { name } }
          acc: metrics(name: "accuracy") { value benchmark { name } }
          all: metrics { name } } }`,
      { id: runId },
    );
    expect(data.run.lfw).toEqual([{ name: "accuracy", value: 0.93, std: 0.0027, step: 0, benchmark: { name: "LFW" } }]);
    expect(data.run.acc.map((m: any) => m.benchmark.name).sort()).toEqual(["CFP-FP", "LFW"]);
    expect(data.run.all).toHaveLength(4);
  });

  it("returns each run's points ordered by benchmark, name and step, with the stored id and time", async () => {
    const [a, b] = [await newRun(), await newRun()];
    // Logged out of order, interleaved across two runs.
    await gqlData(server.url, LOG, { runId: b, points: [{ name: "loss", value: 0.5, step: 2 }, { name: "acc", value: 0.1, step: 0 }] });
    await gqlData(server.url, LOG, { runId: a, points: [{ name: "loss", value: 0.4, step: 5 }, { name: "acc", value: 0.7, step: 1 }, { name: "loss", value: 0.9, step: 1 }] });
    const data = await gqlData(
      server.url,
      `query($a: ID!, $b: ID!) { a: run(id: $a) { id metrics { id name step createdAt } } b: run(id: $b) { id metrics { id name step createdAt } } }`,
      { a, b },
    );
    const client = new pg.Client({ connectionString: server.database.url });
    await client.connect();
    const stored = await client.query(
      "SELECT id::text, run_id::text, name, step, created_at FROM metric WHERE run_id = ANY($1::uuid[]) ORDER BY run_id, name, step",
      [[a, b]],
    );
    await client.end();
    const byRun = new Map([data.a, data.b].map((n: any) => [n.id, n.metrics]));
    for (const runId of [a, b]) {
      const expected = stored.rows
        .filter((r) => r.run_id === runId)
        .map((r) => ({ id: r.id, name: r.name, step: r.step, createdAt: (r.created_at as Date).toISOString() }));
      expect(byRun.get(runId)).toEqual(expected);
    }
  });

  it("summarises each metric of a run in one row (latest, min, max, mean, count), filtered like metrics", async () => {
    const [a, b] = [await newRun(), await newRun()];
    await gqlData(server.url, LOG, {
      runId: a,
      points: [
        { name: "loss", value: 0.9, step: 0 },
        { name: "loss", value: 0.3, step: 2 },
        { name: "loss", value: 0.6, step: 1 },
        { name: "accuracy", value: 0.93, std: 0.0027, benchmark: "LFW" },
        { name: "accuracy", value: 0.9, std: 0.003, benchmark: "CFP-FP" },
      ],
    });
    await gqlData(server.url, LOG, { runId: b, points: [{ name: "loss", value: 0.5, step: 7 }] });
    // A re-logged step replaces its value in the summary, as in the history.
    await gqlData(server.url, LOG, { runId: a, points: [{ name: "loss", value: 0.2, step: 2 }] });
    const SUMMARY = `metricSummaries { name benchmark { name } last lastStd lastStep min max mean count }`;
    const data = await gqlData(
      server.url,
      `query($a: ID!, $b: ID!) {
          a: run(id: $a) { ${SUMMARY} lfw: metricSummaries(benchmark: "LFW") { name last } loss: metricSummaries(name: "loss") { last } none: metricSummaries(benchmark: "NoSuchBench") { name } }
          b: run(id: $b) { ${SUMMARY} } }`,
      { a, b },
    );
    const byKey = Object.fromEntries(data.a.metricSummaries.map((m: any) => [`${m.benchmark?.name ?? "-"}/${m.name}`, m]));
    expect(Object.keys(byKey).sort()).toEqual(["-/loss", "CFP-FP/accuracy", "LFW/accuracy"]);
    expect(byKey["-/loss"]).toMatchObject({ last: 0.2, lastStd: null, lastStep: 2, min: 0.2, max: 0.9, count: 3 });
    expect(byKey["-/loss"].mean).toBeCloseTo((0.9 + 0.6 + 0.2) / 3, 12);
    expect(byKey["LFW/accuracy"]).toMatchObject({ last: 0.93, lastStd: 0.0027, lastStep: 0, min: 0.93, max: 0.93, mean: 0.93, count: 1 });
    expect(data.a.lfw).toEqual([{ name: "accuracy", last: 0.93 }]);
    expect(data.a.loss).toEqual([{ last: 0.2 }]);
    expect(data.a.none).toEqual([]);
    expect(data.b.metricSummaries).toEqual([{ name: "loss", benchmark: null, last: 0.5, lastStd: null, lastStep: 7, min: 0.5, max: 0.5, mean: 0.5, count: 1 }]);
  });

  it("rejects a whole batch with a bad point and keeps what was stored", async () => {
    const runId = await newRun();
    await gqlData(server.url, LOG, { runId, points: [{ name: "loss", value: 0.5, step: 1 }] });
    const unknownBenchmark = await gql(server.url, LOG, { runId, points: [{ name: "loss", value: 0.4, step: 2 }, { name: "accuracy", value: 0.9, benchmark: "MegaFace" }] });
    expect(unknownBenchmark.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "points.benchmark" });
    expect(unknownBenchmark.errors?.[0]?.message).toContain("MegaFace");
    const negativeStep = await gql(server.url, LOG, { runId, points: [{ name: "loss", value: 0.4, step: -1 }] });
    expect(negativeStep.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "points[0].step" });
    // JSON cannot carry NaN; a string "NaN" is refused by GraphQL's Float.
    const nan = await gql(server.url, LOG, { runId, points: [{ name: "loss", value: "NaN" }] });
    expect(nan.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(await countMetrics(runId)).toBe(1);
    const missingRun = await gql(server.url, LOG, { runId: "00000000-0000-0000-0000-000000000000", points: [{ name: "x", value: 1 }] });
    expect(missingRun.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });

  it("keeps the latest value when a batch repeats a point", async () => {
    const runId = await newRun();
    const result = await gqlData(server.url, LOG, { runId, points: [{ name: "loss", value: 1, step: 1 }, { name: "loss", value: 2, step: 1 }] });
    expect(result.logMetrics).toEqual({ received: 2, inserted: 1 });
    const data = await gqlData(server.url, `query($id: ID!) { run(id: $id) { metrics { value } } }`, { id: runId });
    expect(data.run.metrics).toEqual([{ value: 2 }]);
  });
});

describe("subscriptions on a tracked run", () => {
  it("announces logged metrics and progress reported through updateRun", async () => {
    const runId = await newRun();
    const client = wsClient(server.wsUrl);
    const logged = subscribe(client, `subscription($id: ID!) { metricLogged(runId: $id) { runId count names } }`, { id: runId });
    const progress = subscribe(client, `subscription($id: ID!) { runProgress(runId: $id) { done total fraction phase } }`, { id: runId });
    await progress.next(); // the current state comes first
    await new Promise((r) => setTimeout(r, 200)); // let the subscriptions reach the server
    await gqlData(server.url, LOG, { runId, points: [{ name: "loss", value: 1, step: 1 }, { name: "lr", value: 0.1, step: 1 }] });
    const event = await logged.next();
    expect(event.metricLogged).toEqual({ runId, count: 2, names: ["loss", "lr"] });
    await gqlData(server.url, `mutation($id: ID!) { updateRun(id: $id, input: { progress: { done: 3, total: 4, phase: "epoch 3" } }) { id } }`, { id: runId });
    const moved = await progress.next((e: any) => e.runProgress.done === 3);
    expect(moved.runProgress).toEqual({ done: 3, total: 4, fraction: 0.75, phase: "epoch 3" });
    await client.dispose();
  });
});

describe("importPublishedResults", () => {
  it("is idempotent and validates the document", async () => {
    const { readFile } = await import("node:fs/promises");
    const document = JSON.parse(await readFile(new URL("../../seed/published-results.json", import.meta.url), "utf8"));
    const again = await gqlData(server.url, `mutation($d: JSON!) { importPublishedResults(document: $d) { runsCreated runsExisting metricsWritten } }`, { d: document });
    expect(again.importPublishedResults).toEqual({ runsCreated: 0, runsExisting: 6, metricsWritten: 0 });
    const broken = { ...document, table2_verification_accuracy: { ...document.table2_verification_accuracy, rows: [{ ...document.table2_verification_accuracy.rows[0], mean: [1, 2] }] } };
    const result = await gql(server.url, `mutation($d: JSON!) { importPublishedResults(document: $d) { runsCreated } }`, { d: broken });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT" });
    expect(result.errors?.[0]?.message).toMatch(/rows\[0\]\.mean: has 2 values, expected 5/);
  });

  it("stores the paper's values as fractions with their std", async () => {
    const data = await gqlData(server.url, `{ runs(filter: { published: true }, first: 10) { nodes { dataset { name } transferMethod { name } metrics(benchmark: "IJB-C", name: "tar@fmr=1e-4") { value std } } } }`);
    const codeformer = data.runs.nodes.find((r: any) => r.transferMethod?.name === "CodeFormer");
    expect(codeformer.dataset.name).toBe("DigiFace1M");
    expect(codeformer.metrics).toEqual([{ value: 0.4588, std: 0.0353 }]);
  });
});
