// Leaderboard latency over 10,000 EVALUATE runs x 11 metrics in 300 groups.
// Seeds with set-based SQL (generate_series), then times the leaderboard three ways
// in the same process and database, interleaved round by round: the SQL statement
// alone (pg, the baseline), the store (Prisma + row mapping) and the GraphQL query
// over HTTP; plus a plain scan of the metric table to calibrate the machine.
// Target: GraphQL p95 < 100 ms.
//
//   npx tsx bench/leaderboard.ts            (BENCH_ITERATIONS=200 for more samples)
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { startApp } from "../src/app";
import { loadConfig } from "../src/config/config";
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedDatabase } from "../src/db/embedded-postgres";
import { leaderboardSql } from "../src/db/stores/leaderboard-store";
import { migrate } from "../src/db/migrate";
import { resolveLeaderboardInput } from "../src/services/leaderboard/input";
import type { LeaderboardInput } from "../src/services/leaderboard/types";

export const RUNS = 10_000;
export const GROUPS = 300;
const PAIRS = ["LFW", "CFP-FP", "CPLFW", "CALFW", "AgeDB-30"];
const FMRS = ["1e-6", "1e-5", "1e-4", "1e-3", "1e-2", "1e-1"];
export const METRICS_PER_RUN = PAIRS.length + FMRS.length; // 11

export interface LatencyStats {
  p50: number;
  p95: number;
  mean: number;
  min: number;
  max: number;
}

export interface LeaderboardBenchResult {
  runs: number;
  metrics: number;
  groups: number;
  rows: number;
  iterations: number;
  seedMs: number;
  /** SELECT count(*) FROM metric: how fast this machine scans the table, for reading the rest. */
  scan: LatencyStats;
  sql: LatencyStats;
  store: LatencyStats;
  graphql: LatencyStats;
  /** GraphQL p95 / SQL p95: what the API adds on top of the statement. */
  ratioP95: number;
  targetP95Ms: number;
  pass: boolean;
}

/** 10 datasets x 3 methods (none, CodeFormer, VSAIT) x 10 learning rates = 300 configurations. */
async function seed(client: pg.Client): Promise<void> {
  await client.query(`
    INSERT INTO dataset (name, kind, requirement)
    SELECT 'bench-dataset-' || lpad(i::text, 2, '0'), 'SYNTHETIC', 'NONE' FROM generate_series(0, 9) i`);
  await client.query(
    `WITH ds AS (SELECT id, (row_number() OVER (ORDER BY name) - 1)::int AS di FROM dataset WHERE name LIKE 'bench-dataset-%'),
          tm AS (SELECT id, row_number() OVER (ORDER BY name)::int AS mi FROM transfer_method WHERE name IN ('CodeFormer', 'VSAIT'))
     INSERT INTO run (kind, status, seed, params, dataset_id, transfer_method_id, group_name, created_at, started_at, finished_at)
     SELECT 'EVALUATE', 'SUCCEEDED', i / $2, jsonb_build_object('lr', 0.01 * (1 + g % 10), 'epochs', 20, 'seed', i / $2),
            ds.id, tm.id, 'bench-' || g, now() - make_interval(secs => $1 - i), now(), now()
     FROM generate_series(0, $1 - 1) i
     CROSS JOIN LATERAL (SELECT i % $2 AS g) gg
     JOIN ds ON ds.di = g / 30
     LEFT JOIN tm ON tm.mi = (g / 10) % 3`,
    [RUNS, GROUPS],
  );
  await client.query(
    `INSERT INTO metric (run_id, benchmark_id, name, value, std, step)
     SELECT r.id, b.id, c.name, 0.5 + 0.45 * random(), 0.01 * random(), 0
     FROM run r
     CROSS JOIN unnest($1::text[], $2::text[]) AS c(benchmark, name)
     JOIN benchmark b ON b.name = c.benchmark
     WHERE r.group_name LIKE 'bench-%'`,
    [
      [...PAIRS, ...FMRS.map(() => "IJB-C")],
      [...PAIRS.map(() => "accuracy"), ...FMRS.map((f) => `tar@fmr=${f}`)],
    ],
  );
  await client.query("ANALYZE");
}

function stats(samples: number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return {
    p50: at(0.5),
    p95: at(0.95),
    mean: samples.reduce((a, b) => a + b, 0) / samples.length,
    min: sorted[0]!,
    max: sorted.at(-1)!,
  };
}

/**
 * Times several variants interleaved (one of each per round), so that load from
 * other processes affects them alike and their ratio stays meaningful.
 */
async function timeInterleaved<K extends string>(
  iterations: number,
  warmup: number,
  work: Record<K, () => Promise<unknown>>,
): Promise<Record<K, LatencyStats>> {
  const keys = Object.keys(work) as K[];
  const samples = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < warmup + iterations; round++) {
    for (const key of keys) {
      const start = performance.now();
      await work[key]();
      if (round >= warmup) samples[key].push(performance.now() - start);
    }
  }
  return Object.fromEntries(keys.map((k) => [k, stats(samples[k])])) as Record<K, LatencyStats>;
}

const COLUMNS = [
  ...PAIRS.map((benchmark) => ({ benchmark, metric: "accuracy" })),
  ...FMRS.map((f) => ({ benchmark: "IJB-C", metric: `tar@fmr=${f}` })),
];

const QUERY = `query($columns: [LeaderboardColumnInput!]) {
  leaderboard(columns: $columns) {
    std
    rows { key label runCount published dataset { name } transferMethod { name }
           cells { n mean std best delta } average { n mean std best } }
  }
}`;

export async function run(options: { iterations?: number; log?: (line: string) => void } = {}): Promise<LeaderboardBenchResult> {
  const iterations = options.iterations ?? Number(process.env.BENCH_ITERATIONS ?? 100);
  const log = options.log ?? (() => {});
  const dir = await mkdtemp(path.join(os.tmpdir(), "realismlab-bench-"));
  await chmod(dir, 0o755); // the `postgres` user must be able to enter it when we are root
  let embedded: EmbeddedDatabase | null = null;
  let app: Awaited<ReturnType<typeof startApp>> | null = null;
  let sqlClient: pg.Client | null = null;
  try {
    embedded = await startEmbeddedPostgres(path.join(dir, "pg"));
    const url = await ensureDatabase(embedded, "realismlab_bench");
    await migrate(url);
    app = await startApp(
      loadConfig({ DATABASE_URL: url, PORT: "0", HOST: "127.0.0.1", DATA_ROOTS: dir, WORKER_IN_PROCESS: "false" }),
    );
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    sqlClient = client;

    const seedStart = performance.now();
    await seed(client);
    const seedMs = performance.now() - seedStart;
    const counts = (
      await client.query(
        `SELECT (SELECT count(*) FROM run WHERE group_name LIKE 'bench-%')::int AS runs,
                (SELECT count(*) FROM metric m JOIN run r ON r.id = m.run_id WHERE r.group_name LIKE 'bench-%')::int AS metrics`,
      )
    ).rows[0] as { runs: number; metrics: number };
    log(`seeded ${counts.runs} runs, ${counts.metrics} metrics in ${seedMs.toFixed(0)} ms`);

    const input: LeaderboardInput = { columns: COLUMNS };
    const resolved = await resolveLeaderboardInput(app.services.stores, input);
    // As the GraphQL query below asks: no run ids.
    const query = { ...resolved.query, withRuns: false };
    const statement = leaderboardSql(query);
    let rows = 0;
    let graphqlRows = 0;
    const timings = await timeInterleaved(iterations, 10, {
      // Calibration: one sequential scan of the metric table, to read the others against.
      scan: () => client.query("SELECT count(*) FROM metric"),
      sql: async () => {
        rows = (await client.query(statement.text, statement.values as unknown[])).rowCount ?? 0;
      },
      store: () => app!.services.stores.leaderboard.leaderboard(query),
      graphql: async () => {
        const response = await fetch(app!.http.graphqlUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query: QUERY, variables: { columns: COLUMNS } }),
        });
        const body = (await response.json()) as { data?: { leaderboard: { rows: unknown[] } }; errors?: unknown };
        if (!body.data) throw new Error(`leaderboard query failed: ${JSON.stringify(body.errors)}`);
        graphqlRows = body.data.leaderboard.rows.length;
      },
    });
    const { scan, sql, store, graphql } = timings;
    if (graphqlRows !== rows) throw new Error(`GraphQL returned ${graphqlRows} rows, SQL ${rows}`);

    const targetP95Ms = 100;
    return {
      runs: counts.runs,
      metrics: counts.metrics,
      groups: GROUPS,
      rows,
      iterations,
      seedMs,
      scan,
      sql,
      store,
      graphql,
      ratioP95: graphql.p95 / sql.p95,
      targetP95Ms,
      pass: graphql.p95 < targetP95Ms,
    };
  } finally {
    await sqlClient?.end().catch(() => {});
    await app?.stop();
    await embedded?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function report(result: LeaderboardBenchResult): string {
  const line = (name: string, s: LatencyStats) =>
    `${name.padEnd(22)} p50 ${s.p50.toFixed(1).padStart(6)} ms   p95 ${s.p95.toFixed(1).padStart(6)} ms   mean ${s.mean.toFixed(1).padStart(6)} ms   max ${s.max.toFixed(1).padStart(6)} ms`;
  return [
    `leaderboard: ${result.runs} runs x ${METRICS_PER_RUN} metrics (${result.metrics}) in ${result.groups} groups -> ${result.rows} rows, ${result.iterations} iterations`,
    line("scan metric (calib.)", result.scan),
    line("SQL alone (pg)", result.sql),
    line("store (Prisma)", result.store),
    line("GraphQL over HTTP", result.graphql),
    `GraphQL p95 / SQL p95 = ${result.ratioP95.toFixed(2)}x; target p95 < ${result.targetP95Ms} ms: ${result.pass ? "PASS" : "FAIL"}`,
  ].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run({ log: (l) => console.log(l) })
    .then((result) => {
      console.log(report(result));
      process.exitCode = result.pass ? 0 : 1;
    })
    .catch((error) => {
      console.error(error);
      process.exitCode = 1;
    });
}
