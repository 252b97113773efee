// The maintained summaries (run_metric_summary, leaderboard_group*) against a full
// recomputation in TypeScript from metric and run, after a seeded random mix of writes
// as the app's writers do them: metric logs and re-logs (the metrics store's upsert),
// deleted points, runs finishing, archives and restores of runs and datasets, config
// changes through lineage (params, dataset renames) and group renames.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rebuildSummaries } from "../../src/db/summaries";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { seededRandom } from "../helpers/random";

let database: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  database = await createTestDatabase();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  await database?.drop();
});

const close = (a: number | null, b: number | null) =>
  a === null || b === null ? a === b : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

type Row = Record<string, any>;
const keyOf = (...parts: unknown[]) => parts.map((p) => (p === null || p === undefined ? "∅" : String(p))).join("|");

async function expectedAndActual() {
  const metrics = (await client.query(`SELECT run_id, benchmark_id, name, value, std, step FROM metric`)).rows as Row[];
  const runs = (
    await client.query(`
      SELECT r.id, r.kind, r.status, r.source, r.config_key, r.group_name, r.dataset_id, r.transfer_method_id,
             r.created_at, r.config -> 'evaluate.nonStandard' AS odd,
             r.archived_at IS NULL AND d.archived_at IS NULL AND tm.archived_at IS NULL AS live
      FROM run r LEFT JOIN dataset d ON d.id = r.dataset_id LEFT JOIN transfer_method tm ON tm.id = r.transfer_method_id`)
  ).rows as Row[];
  const benchmarkNames = new Map(((await client.query(`SELECT id, name FROM benchmark`)).rows as Row[]).map((b) => [b.id, b.name]));

  // Run x metric, from the points.
  const summaries = new Map<string, Row>();
  for (const m of metrics) {
    const k = keyOf(m.run_id, m.benchmark_id, m.name);
    const s = summaries.get(k);
    if (!s) {
      summaries.set(k, { run_id: m.run_id, benchmark_id: m.benchmark_id, name: m.name, last_value: m.value, last_std: m.std, last_step: m.step, min_value: m.value, max_value: m.value, count: 1, sum: m.value, sum_sq: m.value * m.value });
      continue;
    }
    if (m.step > s.last_step) Object.assign(s, { last_value: m.value, last_std: m.std, last_step: m.step });
    s.min_value = Math.min(s.min_value, m.value);
    s.max_value = Math.max(s.max_value, m.value);
    s.count += 1;
    s.sum += m.value;
    s.sum_sq += m.value * m.value;
  }

  // Groups, from the runs that count and their summaries.
  const groups = new Map<string, { runs: Row[] }>();
  for (const r of runs) {
    if (r.kind !== "EVALUATE" || r.status !== "SUCCEEDED" || !r.live) continue;
    const k = keyOf(r.source, r.config_key, r.group_name);
    if (!groups.has(k)) groups.set(k, { runs: [] });
    groups.get(k)!.runs.push(r);
  }
  const byRun = new Map<string, Row[]>();
  for (const s of summaries.values()) byRun.set(s.run_id, [...(byRun.get(s.run_id) ?? []), s]);
  const expectedGroups = new Map<string, Row>();
  const expectedMetrics = new Map<string, Row>();
  const expectedPairs = new Map<string, Row>();
  for (const [gk, g] of groups) {
    const ids = g.runs.map((r) => r.id as string).sort();
    const same = (col: string) => (g.runs.every((r) => r[col] !== null && r[col] === g.runs[0]![col]) ? g.runs[0]![col] : null);
    expectedGroups.set(gk, {
      run_count: g.runs.length,
      published_count: g.runs.filter((r) => r.source !== null).length,
      rep_run_id: ids[0],
      first_at: Math.min(...g.runs.map((r) => r.created_at.getTime())),
      last_at: Math.max(...g.runs.map((r) => r.created_at.getTime())),
      dataset_id: same("dataset_id"),
      transfer_method_id: same("transfer_method_id"),
    });
    for (const r of g.runs) {
      const own = (byRun.get(r.id) ?? []).filter((s) => s.benchmark_id !== null);
      for (const s of own) {
        const mk = keyOf(gk, s.benchmark_id, s.name);
        const e = expectedMetrics.get(mk) ?? { n: 0, sum_last: 0, sum_sq_last: 0, sum_min: 0, sum_max: 0, sum_mean: 0, n_std: 0, sum_std: null, odd: 0 };
        const mean = s.sum / s.count;
        e.n += 1;
        e.sum_last += s.last_value;
        e.sum_sq_last += s.last_value * s.last_value;
        e.sum_min += s.min_value;
        e.sum_max += s.max_value;
        e.sum_mean += mean;
        if (s.last_std !== null) {
          e.n_std += 1;
          e.sum_std = (e.sum_std ?? 0) + s.last_std;
        }
        if (r.odd && Object.hasOwn(r.odd, benchmarkNames.get(s.benchmark_id))) e.odd += 1;
        expectedMetrics.set(mk, e);
        for (const t of own) {
          if (keyOf(s.benchmark_id, s.name) > keyOf(t.benchmark_id, t.name)) continue;
          // Postgres compares (uuid, text) rows: uuid bytes order = its text order; names by collation.
          if (!(s.benchmark_id < t.benchmark_id || (s.benchmark_id === t.benchmark_id && s.name <= t.name))) continue;
          const pk = keyOf(gk, s.benchmark_id, s.name, t.benchmark_id, t.name);
          const p = expectedPairs.get(pk) ?? { n: 0, sum_product: 0 };
          p.n += 1;
          p.sum_product += s.last_value * t.last_value;
          expectedPairs.set(pk, p);
        }
      }
    }
  }

  const actualSummaries = (await client.query(`SELECT * FROM run_metric_summary`)).rows as Row[];
  const actualGroups = (await client.query(`SELECT * FROM leaderboard_group`)).rows as Row[];
  const groupKey = new Map(actualGroups.map((g) => [String(g.id), keyOf(g.source, g.config_key, g.group_name)]));
  const actualMetrics = (await client.query(`SELECT * FROM leaderboard_group_metric`)).rows as Row[];
  const actualPairs = (await client.query(`SELECT * FROM leaderboard_group_pair`)).rows as Row[];
  return { summaries, expectedGroups, expectedMetrics, expectedPairs, actualSummaries, actualGroups, groupKey, actualMetrics, actualPairs };
}

/** Every maintained row equals its recomputation, and nothing is missing or extra. */
async function checkConsistent(when: string) {
  const x = await expectedAndActual();
  const problems: string[] = [];
  const compare = (what: string, expected: Row | undefined, actual: Row, fields: string[]) => {
    if (!expected) return problems.push(`${what}: extra row ${JSON.stringify(actual)}`);
    for (const f of fields) {
      const a = actual[f] instanceof Date ? actual[f].getTime() : actual[f];
      const e = expected[f];
      if (typeof e === "number" || typeof a === "number" ? !close(Number(e ?? NaN), Number(a ?? NaN)) && !(e === null && a === null) : e !== a) {
        problems.push(`${what}.${f}: expected ${e}, got ${a}`);
      }
    }
  };
  for (const a of x.actualSummaries) {
    compare(`summary ${a.run_id}/${a.name}`, x.summaries.get(keyOf(a.run_id, a.benchmark_id, a.name)), a,
      ["last_value", "last_std", "last_step", "min_value", "max_value", "count", "sum", "sum_sq"]);
  }
  if (x.actualSummaries.length !== x.summaries.size) problems.push(`summaries: ${x.actualSummaries.length} rows, expected ${x.summaries.size}`);
  for (const a of x.actualGroups) {
    compare(`group ${x.groupKey.get(String(a.id))}`, x.expectedGroups.get(x.groupKey.get(String(a.id))!), a,
      ["run_count", "published_count", "rep_run_id", "first_at", "last_at", "dataset_id", "transfer_method_id"]);
  }
  if (x.actualGroups.length !== x.expectedGroups.size) problems.push(`groups: ${x.actualGroups.length} rows, expected ${x.expectedGroups.size}`);
  for (const a of x.actualMetrics) {
    compare(`group metric ${a.name}`, x.expectedMetrics.get(keyOf(x.groupKey.get(String(a.group_id)), a.benchmark_id, a.name)), a,
      ["n", "sum_last", "sum_sq_last", "sum_min", "sum_max", "sum_mean", "n_std", "sum_std", "odd"]);
  }
  if (x.actualMetrics.length !== x.expectedMetrics.size) problems.push(`group metrics: ${x.actualMetrics.length} rows, expected ${x.expectedMetrics.size}`);
  for (const a of x.actualPairs) {
    compare(`pair ${a.a_name}x${a.b_name}`, x.expectedPairs.get(keyOf(x.groupKey.get(String(a.group_id)), a.a_benchmark_id, a.a_name, a.b_benchmark_id, a.b_name)), a, ["n", "sum_product"]);
  }
  if (x.actualPairs.length !== x.expectedPairs.size) problems.push(`pairs: ${x.actualPairs.length} rows, expected ${x.expectedPairs.size}`);
  expect(problems.slice(0, 10), when).toEqual([]);
  return x;
}

/** The metrics store's upsert, as logMetrics runs it. */
async function log(runId: string, points: Array<{ benchmarkId: string | null; name: string; value: number; std: number | null; step: number }>) {
  await client.query(
    `INSERT INTO metric (run_id, benchmark_id, name, value, std, step)
     SELECT $1::uuid, * FROM unnest($2::uuid[], $3::text[], $4::float8[], $5::float8[], $6::int[])
     ORDER BY 1, 2, 5
     ON CONFLICT (run_id, benchmark_id, name, step) DO UPDATE SET value = EXCLUDED.value, std = EXCLUDED.std`,
    [runId, points.map((p) => p.benchmarkId), points.map((p) => p.name), points.map((p) => p.value), points.map((p) => p.std), points.map((p) => p.step)],
  );
}

describe("maintained summaries", () => {
  it("equal a full recomputation after a random mix of writes", async () => {
    const rand = seededRandom(16);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const benchmarks = (
      await client.query(`
        INSERT INTO benchmark (name, protocol, pair_count)
        SELECT 'sum-bench-' || i, 'PAIRS_10FOLD', 6000 FROM generate_series(1, 3) i RETURNING id, name`)
    ).rows as Row[];
    const datasets = (
      await client.query(`
        INSERT INTO dataset (name, kind, requirement) SELECT 'sum-data-' || i, 'SYNTHETIC', 'NONE' FROM generate_series(1, 3) i RETURNING id`)
    ).rows.map((r: Row) => r.id as string);
    const method = (await client.query(`INSERT INTO transfer_method (name, family) VALUES ('sum-method', 'FACE_RESTORATION') RETURNING id`)).rows[0].id;
    const runs: string[] = [];
    const names = ["accuracy", "loss", "tar@fmr=1e-4"];
    let renames = 0;

    for (let op = 1; op <= 400; op++) {
      const choice = rand();
      if (runs.length < 3 || choice < 0.08) {
        const published = rand() < 0.15;
        const { rows } = await client.query(
          `INSERT INTO run (kind, status, dataset_id, transfer_method_id, params, seed, source, group_name)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
          [rand() < 0.85 ? "EVALUATE" : "TRAIN", published || rand() < 0.3 ? "SUCCEEDED" : "RUNNING", pick(datasets),
            rand() < 0.4 ? method : null, JSON.stringify({ lr: pick([0.1, 0.01]), ...(rand() < 0.1 ? { benchmarks: [{ name: "sum-bench-1", pairs: 300 }] } : {}) }),
            Math.floor(rand() * 5), published ? "Paper 2026" : null, rand() < 0.3 ? pick(["a", "b"]) : null],
        );
        runs.push(rows[0].id);
      } else if (choice < 0.5) {
        // A log or a re-log: a few points, some at steps already there.
        const n = 1 + Math.floor(rand() * 4);
        const points = new Map<string, { benchmarkId: string | null; name: string; value: number; std: number | null; step: number }>();
        for (let i = 0; i < n; i++) {
          const p = { benchmarkId: rand() < 0.15 ? null : pick(benchmarks).id, name: pick(names), value: Math.round(rand() * 1000) / 1000, std: rand() < 0.5 ? rand() / 100 : null, step: Math.floor(rand() * 4) };
          points.set(keyOf(p.benchmarkId, p.name, p.step), p);
        }
        await log(pick(runs), [...points.values()]);
      } else if (choice < 0.58) {
        await client.query(`DELETE FROM metric WHERE id IN (SELECT id FROM metric WHERE run_id = $1 ORDER BY random() LIMIT 2)`, [pick(runs)]);
      } else if (choice < 0.68) {
        await client.query(`UPDATE run SET status = 'SUCCEEDED', finished_at = now() WHERE id = $1`, [pick(runs)]);
      } else if (choice < 0.76) {
        await client.query(`UPDATE run SET archived_at = CASE WHEN archived_at IS NULL THEN now() END WHERE id = $1`, [pick(runs)]);
      } else if (choice < 0.82) {
        // Config change through lineage: the run's params (config and config_key follow in SQL).
        await client.query(`UPDATE run SET params = jsonb_set(params, '{lr}', to_jsonb($2::float8)) WHERE id = $1`, [pick(runs), pick([0.1, 0.01, 0.001])]);
      } else if (choice < 0.86) {
        // Lineage renamed: every run on the dataset gets a new config key.
        await client.query(`UPDATE dataset SET name = $2 WHERE id = $1`, [pick(datasets), `sum-data-renamed-${++renames}`]);
      } else if (choice < 0.9) {
        await client.query(`UPDATE dataset SET archived_at = CASE WHEN archived_at IS NULL THEN now() END WHERE id = $1`, [pick(datasets)]);
      } else if (choice < 0.96) {
        await client.query(`UPDATE run SET group_name = $2 WHERE id = $1`, [pick(runs), pick(["a", "b", "c", null])]);
      } else {
        // Heartbeats touch nothing that counts.
        await client.query(`UPDATE run SET heartbeat_at = now(), progress_done = 1 WHERE id = $1`, [pick(runs)]);
      }
      if (op % 100 === 0) await checkConsistent(`after ${op} operations`);
    }

    const final = await checkConsistent("at the end");
    // The mix reached every case it is meant to test.
    expect(final.actualSummaries.some((s) => s.count > 1)).toBe(true);
    expect(final.actualGroups.length).toBeGreaterThan(3);
    expect(final.actualGroups.some((g) => g.source !== null)).toBe(true);
    expect(final.actualMetrics.some((m) => m.odd > 0)).toBe(true);
    expect(final.actualPairs.some((p) => p.a_name !== p.b_name || p.a_benchmark_id !== p.b_benchmark_id)).toBe(true);

    // Bulk writes touching many groups in one statement (the set-based refresh, migration
    // 20261201130100): runs finishing together, a log over every run, re-grouping all runs.
    await client.query(`UPDATE run SET status = 'SUCCEEDED', finished_at = now() WHERE id = ANY($1::uuid[])`, [runs.filter((_, i) => i % 2 === 0)]);
    await checkConsistent("after a bulk finish");
    await client.query(
      `INSERT INTO metric (run_id, benchmark_id, name, value, std, step)
       SELECT r, b, 'accuracy', (abs(hashtext(r::text || b::text)) % 1000) / 1000.0, NULL, 5
       FROM unnest($1::uuid[]) r CROSS JOIN unnest($2::uuid[]) b
       ON CONFLICT (run_id, benchmark_id, name, step) DO UPDATE SET value = EXCLUDED.value`,
      [runs, benchmarks.map((b) => b.id)],
    );
    await checkConsistent("after a bulk log over every run");
    await client.query(`UPDATE run SET group_name = CASE WHEN group_name IS NULL THEN 'bulk' WHEN group_name = 'a' THEN NULL ELSE group_name END WHERE id = ANY($1::uuid[])`, [runs]);
    await checkConsistent("after re-grouping every run");

    // Deleting runs cascades away their summaries and groups.
    await client.query(`DELETE FROM run WHERE id = ANY($1::uuid[])`, [runs.slice(0, 5)]);
    await checkConsistent("after deleting runs");

    // The rebuild command's function gives the same tables.
    const before = (await client.query(`SELECT run_id, benchmark_id, name, last_value, min_value, max_value, count FROM run_metric_summary ORDER BY 1, 2, 3`)).rows;
    const counts = await rebuildSummaries(client);
    expect(counts.run_metric_summary).toBe(before.length);
    expect((await client.query(`SELECT run_id, benchmark_id, name, last_value, min_value, max_value, count FROM run_metric_summary ORDER BY 1, 2, 3`)).rows).toEqual(before);
    await checkConsistent("after the rebuild");
  });
});
