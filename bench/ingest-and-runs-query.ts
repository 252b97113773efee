// Issue 2 benchmarks, each against a baseline measured in the same run:
// 1. logMetrics ingestion through GraphQL (batches of 1,000 points) vs a raw `pg`
//    multi-row INSERT of the same rows. Target: GraphQL >= 0.5x the raw rate.
// 2. p50/p95 latency of a runs query returning 100 runs with their metrics (each metric's
//    maintained summary, Run.metricSummaries) on a database of 10,000 runs x 11 metrics.
//    Target: p95 < 50 ms.
import { performance } from "node:perf_hooks";
import pg from "pg";
import { percentile, postGraphQL, startBenchServer } from "./bench-server";

const BATCH = 1_000;
const BATCHES = 40;

/** The triggers on metric that keep run_metric_summary (and, through it, the leaderboard) current. */
const SUMMARY_TRIGGERS = ["run_metric_summary_on_insert", "run_metric_summary_on_update", "run_metric_summary_on_delete"];

/**
 * A raw multi-row INSERT.
 * - "maintained": as the table is (foreign keys checked, summary triggers on);
 * - "unmaintained": the summary triggers disabled (ALTER TABLE ... DISABLE TRIGGER, this
 *   database is the bench's own), foreign keys still checked: the insert without the
 *   run_metric_summary / leaderboard maintenance, the baseline issue 16 measures against;
 * - "bare": session_replication_role = replica, which skips every trigger, the foreign-key
 *   checks included (about 5 of the 6 ms per 1,000 rows that "maintained" adds): reported
 *   beside it, since earlier figures used it as the baseline.
 */
type InsertMode = "maintained" | "unmaintained" | "bare";

async function rawInsertRate(databaseUrl: string, runId: string, benchmarkId: string, mode: InsertMode = "maintained"): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  if (mode === "bare") await client.query("SET session_replication_role = replica");
  const toggle = (on: boolean) => client.query(`ALTER TABLE metric ${SUMMARY_TRIGGERS.map((t) => `${on ? "ENABLE" : "DISABLE"} TRIGGER ${t}`).join(", ")}`);
  if (mode === "unmaintained") await toggle(false);
  try {
    return await insertBatches(client, runId, benchmarkId);
  } finally {
    if (mode === "unmaintained") await toggle(true);
    await client.end();
  }
}

async function insertBatches(client: pg.Client, runId: string, benchmarkId: string): Promise<number> {
  const start = performance.now();
  for (let b = 0; b < BATCHES; b++) {
    const values: unknown[] = [];
    const tuples: string[] = [];
    for (let i = 0; i < BATCH; i++) {
      const o = values.length;
      tuples.push(`($${o + 1}, $${o + 2}, $${o + 3}, $${o + 4}, $${o + 5}, $${o + 6})`);
      values.push(runId, i % 2 ? benchmarkId : null, "loss", Math.random(), null, b * BATCH + i);
    }
    await client.query(
      `INSERT INTO metric (run_id, benchmark_id, name, value, std, step) VALUES ${tuples.join(",")}
       ON CONFLICT (run_id, benchmark_id, name, step) DO UPDATE SET value = EXCLUDED.value, std = EXCLUDED.std`,
      values,
    );
  }
  const seconds = (performance.now() - start) / 1000;
  return (BATCH * BATCHES) / seconds;
}

async function graphqlRate(url: string, runId: string): Promise<number> {
  const mutation = `mutation($runId: ID!, $points: [MetricPointInput!]!) { logMetrics(runId: $runId, points: $points) { inserted } }`;
  const start = performance.now();
  for (let b = 0; b < BATCHES; b++) {
    const points = Array.from({ length: BATCH }, (_, i) => ({
      name: "loss",
      value: Math.random(),
      step: b * BATCH + i,
      ...(i % 2 ? { benchmark: "LFW" } : {}),
    }));
    await postGraphQL(url, mutation, { runId, points });
  }
  return (BATCH * BATCHES) / ((performance.now() - start) / 1000);
}

async function seedRuns(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(`
    INSERT INTO run (kind, status, seed, group_name, params, dataset_id, transfer_method_id, finished_at)
    SELECT 'EVALUATE', 'SUCCEEDED', g % 5, 'group-' || (g % 300), jsonb_build_object('lr', g % 7),
           (SELECT id FROM dataset ORDER BY name LIMIT 1 OFFSET g % 5),
           (SELECT id FROM transfer_method ORDER BY name LIMIT 1 OFFSET g % 7), now()
    FROM generate_series(1, 10000) g`);
  await client.query(`
    INSERT INTO metric (run_id, benchmark_id, name, value, std, step)
    SELECT r.id, b.id, m.name, random(), random() / 100, 0
    FROM run r
    CROSS JOIN LATERAL (VALUES ('accuracy'), ('val@far=1e-3')) AS m(name)
    CROSS JOIN benchmark b
    WHERE r.source IS NULL AND b.protocol = 'PAIRS_10FOLD'`);
  await client.query(`
    INSERT INTO metric (run_id, benchmark_id, name, value, step)
    SELECT r.id, NULL, 'train_loss', random(), 0 FROM run r WHERE r.source IS NULL`);
  await client.query("ANALYZE");
  const { rows } = await client.query(`SELECT count(*)::int AS runs, (SELECT count(*)::int FROM metric) AS metrics FROM run WHERE source IS NULL`);
  await client.end();
  console.log(`  seeded ${rows[0].runs} runs and ${rows[0].metrics} metrics`);
}

export interface IngestionResult {
  rawPointsPerSecond: number;
  graphqlPointsPerSecond: number;
  ratio: number;
  unmaintainedInsertPointsPerSecond: number;
  ratioToUnmaintainedInsert: number;
  bareInsertPointsPerSecond: number;
  ratioToBareInsert: number;
}

export async function run() {
  const server = await startBenchServer();
  try {
    const createRun = `mutation { createRun(input: { kind: TRAIN }) { id } }`;
    const rawRun = (await postGraphQL(server.url, createRun, {})).createRun.id;
    const unmaintainedRun = (await postGraphQL(server.url, createRun, {})).createRun.id;
    const bareRun = (await postGraphQL(server.url, createRun, {})).createRun.id;
    const gqlRun = (await postGraphQL(server.url, createRun, {})).createRun.id;
    const lfw = (await postGraphQL(server.url, `{ benchmarks { id name } }`, {})).benchmarks.find((b: any) => b.name === "LFW").id;
    // Warm up both paths once, then measure them back to back.
    await graphqlRate(server.url, (await postGraphQL(server.url, createRun, {})).createRun.id);
    const raw = await rawInsertRate(server.databaseUrl, rawRun, lfw);
    const graphql = await graphqlRate(server.url, gqlRun);
    const unmaintained = await rawInsertRate(server.databaseUrl, unmaintainedRun, lfw, "unmaintained");
    const bare = await rawInsertRate(server.databaseUrl, bareRun, lfw, "bare");
    const ingestion: IngestionResult = {
      rawPointsPerSecond: Math.round(raw),
      graphqlPointsPerSecond: Math.round(graphql),
      ratio: graphql / raw,
      unmaintainedInsertPointsPerSecond: Math.round(unmaintained),
      ratioToUnmaintainedInsert: graphql / unmaintained,
      bareInsertPointsPerSecond: Math.round(bare),
      ratioToBareInsert: graphql / bare,
    };
    console.log(`logMetrics ingestion: GraphQL ${ingestion.graphqlPointsPerSecond} points/s vs raw INSERT ${ingestion.rawPointsPerSecond} points/s = ${ingestion.ratio.toFixed(2)}x (target >= 0.5x)`);
    console.log(`  with summary maintenance vs a raw INSERT without it (summary triggers off, foreign keys checked: ${ingestion.unmaintainedInsertPointsPerSecond} points/s): ${ingestion.ratioToUnmaintainedInsert.toFixed(2)}x (target >= 0.5x)`);
    console.log(`  vs a bare raw INSERT (no triggers, no foreign-key checks: ${ingestion.bareInsertPointsPerSecond} points/s): ${ingestion.ratioToBareInsert.toFixed(2)}x`);

    // BENCH_INGEST_ONLY=1: the ingestion figures alone (the runs query seeds 10k runs first).
    if (process.env.BENCH_INGEST_ONLY === "1") return { ingestion, runsQuery: null };
    await seedRuns(server.databaseUrl);
    const query = `{ runs(first: 100, filter: { kind: EVALUATE, published: false }) { totalCount nodes { id seed group dataset { name } transferMethod { name } metricSummaries { name value: last std: lastStd benchmark { name } } } } }`;
    for (let i = 0; i < 20; i++) await postGraphQL(server.url, query, {});
    const latencies: number[] = [];
    for (let i = 0; i < 200; i++) {
      const start = performance.now();
      const data = await postGraphQL(server.url, query, {});
      latencies.push(performance.now() - start);
      if (data.runs.nodes.length !== 100 || data.runs.nodes[0].metricSummaries.length !== 11) throw new Error("unexpected runs page");
    }
    latencies.sort((a, b) => a - b);
    const runsQuery = { p50Ms: percentile(latencies, 50), p95Ms: percentile(latencies, 95) };
    console.log(`runs query (100 runs x 11 metrics of 10,000 runs): p50 ${runsQuery.p50Ms.toFixed(1)} ms, p95 ${runsQuery.p95Ms.toFixed(1)} ms (target p95 < 50 ms)`);
    return { ingestion, runsQuery };
  } finally {
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run();
}
