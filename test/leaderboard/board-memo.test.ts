// Kept boards (src/services/leaderboard/board-memo.ts) follow every write that can change
// them: after each of a seeded random mix of writes (runs finishing, logs and re-logs,
// archives, config and group changes, dataset and method renames, heartbeats), the
// running server's leaderboard equals a board built from scratch by a service with
// nothing kept. Without a write in between, the kept board is served again.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLeaderboardService } from "../../src/services/leaderboard";
import type { LeaderboardInput } from "../../src/services/leaderboard/types";
import { gqlData } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { seededRandom } from "../helpers/random";

let server: TestServer;
let client: pg.Client;

beforeAll(async () => {
  server = await startTestServer();
  client = new pg.Client({ connectionString: server.database.url });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  await server?.close();
});

const INPUTS: LeaderboardInput[] = [
  { preset: "PAPER_TABLE_2" },
  { benchmarks: ["LFW", "CFP-FP"], metric: "accuracy", groupBy: { group: true } },
  { benchmarks: ["LFW"], metric: "accuracy", std: "SAMPLE" },
];

/** What a reader sees of a board: every row's label, counts, cells and average. */
function shape(board: Awaited<ReturnType<ReturnType<typeof createLeaderboardService>["leaderboard"]>>) {
  return {
    totalRows: board.totalRows,
    rows: board.rows.map((r) => ({
      key: r.key,
      label: r.label,
      runCount: r.runCount,
      dataset: r.datasetName,
      method: r.transferMethodName,
      cells: r.cells.map((c) => [c.n, c.mean, c.std, c.best, c.nonStandard]),
      average: r.average && [r.average.n, r.average.mean, r.average.std, r.average.best],
    })),
  };
}

/** The same boards over HTTP, answered again from the kept JSON while nothing changed (src/graphql/kept-answers.ts). */
const HTTP_QUERY = `query($preset: LeaderboardPreset, $benchmarks: [String!], $metric: String, $groupBy: LeaderboardGroupBy, $std: StdKind) {
  leaderboard(preset: $preset, benchmarks: $benchmarks, metric: $metric, groupBy: $groupBy, std: $std) {
    totalRows rows { key label runCount dataset { name } transferMethod { name }
      cells { n mean std best nonStandard } average { n mean std best } } } }`;

function httpShape(board: any) {
  return {
    totalRows: board.totalRows,
    rows: board.rows.map((r: any) => ({
      key: r.key,
      label: r.label,
      runCount: r.runCount,
      dataset: r.dataset?.name ?? null,
      method: r.transferMethod?.name ?? null,
      cells: r.cells.map((c: any) => [c.n, c.mean, c.std, c.best, c.nonStandard]),
      average: r.average && [r.average.n, r.average.mean, r.average.std, r.average.best],
    })),
  };
}

describe("kept leaderboards", () => {
  it("equal a board built from scratch after every write of a random mix", async () => {
    const rand = seededRandom(17);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const services = server.app.services;
    const benchmarks = (await client.query(`SELECT id, name FROM benchmark WHERE name IN ('LFW', 'CFP-FP', 'CPLFW', 'CALFW', 'AgeDB-30')`)).rows as { id: string }[];
    const datasets = (
      await client.query(`INSERT INTO dataset (name, kind, requirement) SELECT 'memo-data-' || i, 'SYNTHETIC', 'NONE' FROM generate_series(1, 3) i RETURNING id`)
    ).rows.map((r) => r.id as string);
    const methods = (await client.query(`SELECT id FROM transfer_method WHERE name IN ('CodeFormer', 'VSAIT')`)).rows.map((r) => r.id as string);
    const runs: string[] = [];
    let renames = 0;
    let served = 0;

    for (let op = 1; op <= 120; op++) {
      const choice = rand();
      if (runs.length < 4 || choice < 0.2) {
        const { rows } = await client.query(
          `INSERT INTO run (kind, status, dataset_id, transfer_method_id, params, seed, group_name)
           VALUES ('EVALUATE', $1, $2, $3, $4, $5, $6) RETURNING id`,
          [rand() < 0.7 ? "SUCCEEDED" : "RUNNING", pick(datasets), rand() < 0.5 ? pick(methods) : null,
            JSON.stringify({ lr: pick([0.1, 0.01]) }), Math.floor(rand() * 3), rand() < 0.3 ? pick(["a", "b"]) : null],
        );
        runs.push(rows[0].id);
      } else if (choice < 0.5) {
        const points = benchmarks.filter(() => rand() < 0.7).map((b) => ({ benchmark: b.id, value: Math.round(rand() * 1000) / 1000, step: Math.floor(rand() * 2) }));
        await client.query(
          `INSERT INTO metric (run_id, benchmark_id, name, value, step)
           SELECT $1, b, 'accuracy', v, s FROM unnest($2::uuid[], $3::float8[], $4::int[]) AS p(b, v, s)
           ON CONFLICT (run_id, benchmark_id, name, step) DO UPDATE SET value = EXCLUDED.value`,
          [pick(runs), points.map((p) => p.benchmark), points.map((p) => p.value), points.map((p) => p.step)],
        );
      } else if (choice < 0.6) {
        await client.query(`UPDATE run SET status = 'SUCCEEDED', finished_at = now() WHERE id = $1`, [pick(runs)]);
      } else if (choice < 0.67) {
        await client.query(`UPDATE run SET archived_at = CASE WHEN archived_at IS NULL THEN now() END WHERE id = $1`, [pick(runs)]);
      } else if (choice < 0.74) {
        await client.query(`UPDATE run SET params = jsonb_set(params, '{lr}', to_jsonb($2::float8)) WHERE id = $1`, [pick(runs), pick([0.1, 0.01, 0.001])]);
      } else if (choice < 0.8) {
        await client.query(`UPDATE dataset SET name = $2 WHERE id = $1`, [pick(datasets), `memo-data-renamed-${++renames}`]);
      } else if (choice < 0.84) {
        await client.query(`UPDATE run SET group_name = $2 WHERE id = $1`, [pick(runs), pick(["a", "b", null])]);
      } else if (choice < 0.88) {
        await client.query(`UPDATE dataset SET archived_at = CASE WHEN archived_at IS NULL THEN now() END WHERE id = $1`, [pick(datasets)]);
      } else if (choice < 0.92) {
        // Renaming a method renames its rows' labels: the kept board must follow.
        const method = pick(methods);
        await client.query(`UPDATE transfer_method SET name = name || '+' WHERE id = $1`, [method]);
      } else {
        // A heartbeat changes nothing a board shows: the kept board is served again.
        const input = pick(INPUTS);
        const before = await services.leaderboard.leaderboard(input, { withRuns: false });
        await client.query(`UPDATE run SET heartbeat_at = now(), progress_done = 1 WHERE id = $1`, [pick(runs)]);
        const after = await services.leaderboard.leaderboard(input, { withRuns: false });
        expect(after.rows).toBe(before.rows);
        served++;
      }
      const input = pick(INPUTS);
      const kept = await services.leaderboard.leaderboard(input, { withRuns: false });
      const fresh = await createLeaderboardService(services.stores).leaderboard(input, { withRuns: false });
      expect(shape(kept), `after operation ${op}`).toEqual(shape(fresh));
      // Twice over HTTP: the second answer may be the first's kept JSON; both must be current.
      for (let i = 0; i < 2; i++) {
        const answer = (await gqlData(server.url, HTTP_QUERY, input)).leaderboard;
        expect(httpShape(answer), `over HTTP after operation ${op}`).toEqual(shape(fresh));
      }
    }
    expect(served).toBeGreaterThan(0);

    // Through GraphQL too: a run finishing shows on the next answer.
    const query = `{ leaderboard(preset: PAPER_TABLE_2) { totalRows rows { runCount } } }`;
    const before = (await gqlData(server.url, query)).leaderboard;
    const { rows } = await client.query(
      `INSERT INTO run (kind, status, dataset_id, params)
       VALUES ('EVALUATE', 'RUNNING', (SELECT id FROM dataset WHERE name = 'DigiFace1M'), '{"lr": 0.5}') RETURNING id`,
    );
    await client.query(`INSERT INTO metric (run_id, benchmark_id, name, value, step) VALUES ($1, $2, 'accuracy', 0.9, 0)`, [rows[0].id, benchmarks[0]!.id]);
    expect((await gqlData(server.url, query)).leaderboard.totalRows).toBe(before.totalRows);
    await client.query(`UPDATE run SET status = 'SUCCEEDED' WHERE id = $1`, [rows[0].id]);
    expect((await gqlData(server.url, query)).leaderboard.totalRows).toBe(before.totalRows + 1);
  });
});
