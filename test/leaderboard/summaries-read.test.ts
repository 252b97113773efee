// The leaderboard read from the maintained group summaries equals the full statement:
// the same rows, counts, means, stds and per-run averages, through GraphQL (the fast
// path answers when no run ids are asked; asking for them takes the full statement).
// Also: per-column aggregates over steps, and compareRunGroup paging a row of 60 runs
// past compareRuns' 50.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql, gqlData } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";

let server: TestServer;
let client: pg.Client;
const BENCHMARKS = ["LFW", "CFP-FP", "CPLFW"];

beforeAll(async () => {
  server = await startTestServer();
  client = new pg.Client({ connectionString: server.database.url });
  await client.connect();
  // Config A: 60 runs with every column; B: 4 runs, one lacking CPLFW (the full statement
  // answers that row); C: 3 runs logging several steps (re-logged at step 1).
  const runs = async (count: number, lr: number) =>
    (
      await client.query(
        `INSERT INTO run (kind, status, seed, params, dataset_id, created_at)
         SELECT 'EVALUATE', 'SUCCEEDED', i, jsonb_build_object('lr', $2::float8), (SELECT id FROM dataset WHERE name = 'DigiFace1M'),
                now() - make_interval(secs => 1000 - i)
         FROM generate_series(1, $1::int) i RETURNING id`,
        [count, lr],
      )
    ).rows.map((r) => r.id as string);
  const log = (ids: string[], benchmarks: string[], step: number, value: string) =>
    client.query(
      `INSERT INTO metric (run_id, benchmark_id, name, value, std, step)
       SELECT r, b.id, 'accuracy', ${value}, 0.01, $3 FROM unnest($1::uuid[]) WITH ORDINALITY AS u(r, i)
       JOIN benchmark b ON b.name = ANY($2::text[])
       ON CONFLICT (run_id, benchmark_id, name, step) DO UPDATE SET value = EXCLUDED.value`,
      [ids, benchmarks, step],
    );
  const a = await runs(60, 0.1);
  await log(a, BENCHMARKS, 0, "0.9 + 0.001 * (u.i % 7) + 0.0001 * length(b.name)");
  const b = await runs(4, 0.2);
  await log(b.slice(0, 3), BENCHMARKS, 0, "0.8 + 0.01 * u.i");
  await log(b.slice(3), ["LFW", "CFP-FP"], 0, "0.85");
  const c = await runs(3, 0.3);
  for (const step of [0, 1, 2]) await log(c, BENCHMARKS, step, `0.5 + 0.1 * ${step} + 0.01 * u.i`);
  await log(c, BENCHMARKS, 1, "0.95 + 0.01 * u.i"); // re-logged: step 1 is now the max
});

afterAll(async () => {
  await client?.end();
  await server?.close();
});

const ROWS = (withRuns: boolean) => `query($columns: [LeaderboardColumnInput!]) {
  leaderboard(columns: $columns) {
    rows { key runCount configKey ${withRuns ? "runIds" : ""} cells { column n mean std runStd } average { n mean std } }
  }
}`;

function expectClose(fast: any, full: any, path: string) {
  if (typeof full === "number") {
    expect(Math.abs(fast - full), `${path}: ${fast} vs ${full}`).toBeLessThan(1e-9);
  } else if (full && typeof full === "object") {
    for (const k of Object.keys(full)) if (k !== "runIds") expectClose(fast?.[k], full[k], `${path}.${k}`);
  } else {
    expect(fast, path).toEqual(full);
  }
}

describe("leaderboard from the maintained summaries", () => {
  for (const aggregate of ["LAST", "BEST", "MIN", "MEAN"] as const) {
    it(`equals the full statement (${aggregate})`, async () => {
      const columns = BENCHMARKS.map((benchmark) => ({ benchmark, aggregate }));
      const fast = (await gqlData(server.url, ROWS(false), { columns })).leaderboard.rows;
      const full = (await gqlData(server.url, ROWS(true), { columns })).leaderboard.rows;
      expect(fast.map((r: any) => r.runCount)).toEqual(expect.arrayContaining([3, 4, 60]));
      expect(fast).toHaveLength(full.length);
      fast.forEach((row: any, i: number) => expectClose(row, full[i], `rows[${i}]`));
      expect(fast.filter((r: any) => r.runCount > 1).every((r: any) => /^[0-9a-f]{32}$/.test(r.configKey))).toBe(true);
    });
  }

  it("reads each aggregate over the steps, re-logs included", async () => {
    const value = async (aggregate: string) => {
      const rows = (await gqlData(server.url, ROWS(false), { columns: [{ benchmark: "LFW", aggregate }] })).leaderboard.rows;
      return rows.find((r: any) => r.runCount === 3).cells[0].mean;
    };
    // Runs i = 1..3: steps 0, 1, 2 = 0.5, 0.95, 0.7 (+ 0.01 i); mean over runs of 0.01 i = 0.02.
    expect(await value("LAST")).toBeCloseTo(0.72, 9);
    expect(await value("MAX")).toBeCloseTo(0.97, 9);
    expect(await value("BEST")).toBeCloseTo(0.97, 9);
    expect(await value("MIN")).toBeCloseTo(0.52, 9);
    expect(await value("MEAN")).toBeCloseTo((0.5 + 0.95 + 0.7) / 3 + 0.02, 9);
  });

  it("sorts by a column", async () => {
    const rows = (
      await gqlData(server.url, `query($columns: [LeaderboardColumnInput!]) { leaderboard(columns: $columns, orderBy: { field: COLUMN, column: 0 }) { rows { runCount cells { mean } } } }`,
        { columns: [{ benchmark: "LFW", aggregate: "MIN" }] })
    ).leaderboard.rows;
    const means = rows.map((r: any) => r.cells[0].mean);
    expect([...means].sort((x: number, y: number) => y - x)).toEqual(means);
  });
});

describe("compareRunGroup", () => {
  const PAGE = `query($configKey: String!, $first: Int, $offset: Int) {
    compareRunGroup(configKey: $configKey, first: $first, offset: $offset) { totalCount offset hasNextPage runIds comparison { runs { id } metrics { name } } }
  }`;

  it("compares a row of 60 runs a page at a time", async () => {
    const rows = (await gqlData(server.url, ROWS(true), { columns: BENCHMARKS.map((benchmark) => ({ benchmark })) })).leaderboard.rows;
    const big = rows.find((r: any) => r.runCount === 60);
    const first = (await gqlData(server.url, PAGE, { configKey: big.configKey })).compareRunGroup;
    expect(first).toMatchObject({ totalCount: 60, offset: 0, hasNextPage: true });
    expect(first.runIds).toHaveLength(50);
    expect(first.comparison.runs.map((r: any) => r.id)).toEqual(first.runIds);
    const second = (await gqlData(server.url, PAGE, { configKey: big.configKey, offset: 50 })).compareRunGroup;
    expect(second).toMatchObject({ totalCount: 60, offset: 50, hasNextPage: false });
    expect([...first.runIds, ...second.runIds].sort()).toEqual([...big.runIds].sort());
  });

  it("refuses bad pages and unknown rows clearly", async () => {
    const bad = await gql(server.url, PAGE, { configKey: "0".repeat(32), first: 51 });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "first" });
    const unknown = await gql(server.url, PAGE, { configKey: "0".repeat(32) });
    expect(unknown.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const malformed = await gql(server.url, PAGE, { configKey: "x'; DROP TABLE run; --" });
    expect(malformed.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "configKey" });
  });
});

describe("leaderboard row pages", () => {
  const PAGE = `query($columns: [LeaderboardColumnInput!], $first: Int, $after: String, $std: StdKind) {
    leaderboard(columns: $columns, first: $first, after: $after, std: $std) {
      totalRows pageInfo { hasNextPage endCursor }
      rows { key runCount cells { column n mean std best } average { n mean std best } }
    }
  }`;
  const columns = BENCHMARKS.map((benchmark) => ({ benchmark }));

  for (const std of ["POPULATION", "SAMPLE"] as const) {
    it(`pages of one row add up to the whole board, averages' spread included (${std})`, async () => {
      const whole = (await gqlData(server.url, PAGE, { columns, std })).leaderboard;
      expect(whole.pageInfo.hasNextPage).toBe(false);
      expect(whole.totalRows).toBe(whole.rows.length);
      const paged: any[] = [];
      let after: string | null = null;
      for (;;) {
        const page: any = (await gqlData(server.url, PAGE, { columns, std, first: 1, after })).leaderboard;
        expect(page.totalRows).toBe(whole.totalRows);
        paged.push(...page.rows);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(paged.map((r) => r.key)).toEqual(whole.rows.map((r: any) => r.key));
      expectClose(paged, whole.rows, "rows");
      // The spread is there (not left null) for the rows of every page.
      expect(paged.some((r) => r.average?.std > 0)).toBe(true);
    });
  }

  it("refuses an unknown cursor and a page over 1000 rows", async () => {
    const unknown = await gql(server.url, PAGE, { columns, first: 2, after: "no-such-row" });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "after" });
    const tooMany = await gql(server.url, PAGE, { columns, first: 1001 });
    expect(tooMany.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});

describe("a leaderboard of more than 1000 rows", () => {
  it("answers every row without first, and pages of at most 1000", async () => {
    await client.query(
      `INSERT INTO run (kind, status, seed, params, dataset_id)
       SELECT 'EVALUATE', 'SUCCEEDED', 0, jsonb_build_object('lr', 1 + i), (SELECT id FROM dataset WHERE name = 'DigiFace1M')
       FROM generate_series(1, 1001) i`,
    );
    await client.query(
      `INSERT INTO metric (run_id, benchmark_id, name, value, step)
       SELECT r.id, b.id, 'accuracy', 0.5, 0 FROM run r, benchmark b
       WHERE b.name = 'LFW' AND (r.params ->> 'lr')::float8 > 1 AND NOT EXISTS (SELECT 1 FROM metric m WHERE m.run_id = r.id)`,
    );
    const query = `query($first: Int) { leaderboard(benchmarks: ["LFW"], metric: "accuracy", filter: { published: false }, first: $first) { totalRows pageInfo { hasNextPage } rows { key } } }`;
    const all = (await gqlData(server.url, query, {})).leaderboard;
    expect(all.totalRows).toBeGreaterThan(1000);
    expect(all.rows).toHaveLength(all.totalRows);
    const page = (await gqlData(server.url, query, { first: 1000 })).leaderboard;
    expect(page.rows).toHaveLength(1000);
    expect(page.pageInfo.hasNextPage).toBe(true);
  });
});
