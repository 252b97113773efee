// Kept answers (src/graphql/kept-answers.ts): a leaderboard-only query repeated while the
// leaderboard version holds is answered from its kept JSON, reading only that version; any
// write a board could show, a query asking beyond the board, or a caller not allowed to read
// gets an executed answer.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql, gqlData } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";

const QUERY = `query($first: Int) { leaderboard(benchmarks: ["LFW"], metric: "accuracy", first: $first) {
  totalRows rows { key label runCount dataset { id name } transferMethod { name } cells { n mean std best } }
  columns { benchmark { name dataUri } } } }`;

let server: TestServer;
let client: pg.Client;
const statements: string[] = [];

async function addRun(datasetId: string, value: number): Promise<string> {
  const { rows } = await client.query(
    `INSERT INTO run (kind, status, dataset_id, params, seed) VALUES ('EVALUATE', 'SUCCEEDED', $1, '{"lr": 0.1}', $2) RETURNING id`,
    [datasetId, Math.floor(value * 1000)],
  );
  await client.query(`INSERT INTO metric (run_id, benchmark_id, name, value, step) SELECT $1, id, 'accuracy', $2, 0 FROM benchmark WHERE name = 'LFW'`, [rows[0].id, value]);
  return rows[0].id;
}

/** The raw answer text and the SQL statements it took. */
async function answer(query: string, variables: Record<string, unknown> = {}, token?: string) {
  statements.length = 0;
  const response = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, text: await response.text(), statements: statements.length };
}

let datasetId: string;
beforeAll(async () => {
  server = await startTestServer({}, { onDatabaseQuery: (sql) => statements.push(sql) });
  client = new pg.Client({ connectionString: server.database.url });
  await client.connect();
  datasetId = (await client.query(`INSERT INTO dataset (name, kind, requirement) VALUES ('kept-data', 'SYNTHETIC', 'NONE') RETURNING id`)).rows[0].id;
  await addRun(datasetId, 0.9);
  await addRun(datasetId, 0.8);
});

afterAll(async () => {
  await client?.end();
  await server?.close();
});

describe("kept answers", () => {
  it("answer a repeated leaderboard query from the kept JSON, reading only the version, until a write moves it", async () => {
    const first = await answer(QUERY);
    const again = await answer(QUERY);
    expect(again.text).toBe(first.text);
    expect(again.statements).toBe(1); // the version, nothing else
    expect(first.statements).toBeGreaterThan(1);
    const row = () => JSON.parse(again.text).data.leaderboard.rows.find((r: any) => r.dataset?.id === datasetId);
    expect(row().runCount).toBe(2);

    // Other variables are another answer.
    const paged = await answer(QUERY, { first: 1 });
    expect(JSON.parse(paged.text).data.leaderboard.rows).toHaveLength(1);
    expect(paged.statements).toBeGreaterThan(1);

    // A run finishing with a value moves the version: the next answer is executed and current.
    await addRun(datasetId, 0.7);
    const afterRun = await answer(QUERY);
    expect(afterRun.statements).toBeGreaterThan(1);
    const fresh = JSON.parse(afterRun.text).data.leaderboard.rows.find((r: any) => r.dataset?.id === datasetId);
    expect(fresh.runCount).toBe(3);
    expect(fresh.cells[0].mean).toBeCloseTo(0.8, 12);

    // A dataset renamed is a new board too, and its name shows.
    await client.query(`UPDATE dataset SET name = 'kept-data-renamed' WHERE id = $1`, [datasetId]);
    const afterRename = await answer(QUERY);
    expect(JSON.parse(afterRename.text).data.leaderboard.rows.find((r: any) => r.dataset?.id === datasetId).dataset.name).toBe("kept-data-renamed");
    expect((await answer(QUERY)).text).toBe(afterRename.text);

    // Any write to a benchmark moves the version: its fields show at once.
    await client.query(`UPDATE benchmark SET data_uri = '/data/lfw-moved' WHERE name = 'LFW'`);
    const afterBenchmark = JSON.parse((await answer(QUERY)).text).data.leaderboard;
    expect(afterBenchmark.columns[0].benchmark.dataUri).toBe("/data/lfw-moved");
  });

  it("never keeps a query that asks beyond the board, or a board built for the request alone", async () => {
    const beyond = [
      `{ leaderboard(benchmarks: ["LFW"]) { totalRows } runs(first: 1) { totalCount } }`,
      `{ leaderboard(benchmarks: ["LFW"]) { rows { dataset { name description } } } }`,
      `{ leaderboard(benchmarks: ["LFW"]) { rows { transferMethod { name family } } } }`,
      // Not answered from a kept board (run ids; a filter): built for each request.
      `{ leaderboard(benchmarks: ["LFW"]) { rows { runIds } } }`,
      `{ leaderboard(benchmarks: ["LFW"], filter: { finishedAfter: "2000-01-01T00:00:00Z" }) { totalRows } }`,
    ];
    for (const query of beyond) {
      await answer(query);
      const again = await answer(query);
      expect(again.statements, query).toBeGreaterThan(1);
    }
    // A change only those fields show is in the next answer.
    const described = `{ leaderboard(benchmarks: ["LFW"]) { rows { dataset { id description } } } }`;
    await answer(described);
    await client.query(`UPDATE dataset SET description = 'now described' WHERE id = $1`, [datasetId]);
    const rows = JSON.parse((await answer(described)).text).data.leaderboard.rows;
    expect(rows.find((r: any) => r.dataset?.id === datasetId).dataset.description).toBe("now described");
  });

  it("are served only to callers the field's authorization lets through", async () => {
    const locked = await startTestServer({ AUTH_REQUIRED: "true", READS_PUBLIC: "false" });
    try {
      const reader = (await locked.app.services.auth.createToken({ name: "reader", scopes: ["READ"] })).secret;
      const query = `{ leaderboard(preset: PAPER_TABLE_2) { totalRows rows { label } } }`;
      const allowed = await gqlData(locked.url, query, {}, reader);
      expect((await gqlData(locked.url, query, {}, reader)).leaderboard).toEqual(allowed.leaderboard);
      const anonymous = await gql(locked.url, query);
      expect(anonymous.data ?? null).toBeNull();
      expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    } finally {
      await locked.close();
    }
  });
});
