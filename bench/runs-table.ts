// Runs-table latency (issue 16) at 10,000 and 100,000 EVALUATE runs x 11 metrics, seeded
// with set-based SQL and measured right after seeding (no manual ANALYZE). Each size times,
// interleaved round by round in the same process and database:
//   baseline  the runs query as the dashboard asked it before issue 16: runs(first: 100)
//             with every metric of every run (11 per run) and totalCount;
//   summaries runs(first: 100) with every metric of every run as its maintained summary
//             (Run.metricSummaries: latest value and std, one row per metric): what the
//             runs table shows, without reading the histories;
//   columns   runs(first: 100) with 3 metric-aggregate columns and 2 config columns;
//   sorted    the same columns sorted by a metric aggregate (BEST accuracy on LFW);
//   sortedMean  sorted by the MEAN over steps of accuracy on AgeDB-30;
// then the baseline, the summaries and the columns query with 100 concurrent clients.
// Latency runs from the request sent to the answer's last byte received, as in the
// leaderboard bench (the answer is parsed and checked after the timer stops).
// Targets: runs(first: 100) with their metrics p95 < 25 ms at 10k, < 50 ms at 100k.
//
//   npx tsx bench/runs-table.ts     (BENCH_RUNS_SIZES=10000 for one size, BENCH_ITERATIONS=100)
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { percentile, startBenchServer, timedGraphQL } from "./bench-server";

const PAIRS = ["LFW", "CFP-FP", "CPLFW", "CALFW", "AgeDB-30"];
const FMRS = ["1e-6", "1e-5", "1e-4", "1e-3", "1e-2", "1e-1"];
const CONCURRENT_CLIENTS = 100;

const FILTER = `filter: { kind: EVALUATE, published: false }`;
export const QUERIES = {
  baseline: `{ runs(first: 100, ${FILTER}) { totalCount nodes { id seed group dataset { name } transferMethod { name } metrics { name value std benchmark { name } } } } }`,
  summaries: `{ runs(first: 100, ${FILTER}) { totalCount nodes { id seed group dataset { name } transferMethod { name } metricSummaries { name last lastStd benchmark { name } } } } }`,
  columns: `{ runs(first: 100, ${FILTER}) { totalCount pageInfo { endCursor } nodes { id seed group
    lfw: metricValue(name: "accuracy", benchmark: "LFW", aggregate: BEST)
    agedb: metricValue(name: "accuracy", benchmark: "AgeDB-30", aggregate: LAST)
    tar: metricValue(name: "tar@fmr=1e-4", benchmark: "IJB-C", aggregate: MEAN)
    lr: configValue(key: "evaluate.lr") epochs: configValue(key: "evaluate.epochs") } } }`,
  sorted: `{ runs(first: 100, ${FILTER}, orderBy: { field: METRIC, direction: DESC, metric: { name: "accuracy", benchmark: "LFW", aggregate: BEST } }) {
    totalCount pageInfo { endCursor } nodes { id seed group
    lfw: metricValue(name: "accuracy", benchmark: "LFW", aggregate: BEST)
    agedb: metricValue(name: "accuracy", benchmark: "AgeDB-30", aggregate: LAST)
    tar: metricValue(name: "tar@fmr=1e-4", benchmark: "IJB-C", aggregate: MEAN)
    lr: configValue(key: "evaluate.lr") epochs: configValue(key: "evaluate.epochs") } } }`,
  sortedMean: `{ runs(first: 100, ${FILTER}, orderBy: { field: METRIC, direction: DESC, metric: { name: "accuracy", benchmark: "AgeDB-30", aggregate: MEAN } }) {
    totalCount pageInfo { endCursor } nodes { id seed group
    agedb: metricValue(name: "accuracy", benchmark: "AgeDB-30", aggregate: MEAN)
    lfw: metricValue(name: "accuracy", benchmark: "LFW", aggregate: BEST)
    lr: configValue(key: "evaluate.lr") epochs: configValue(key: "evaluate.epochs") } } }`,
};
type QueryName = keyof typeof QUERIES;

interface Stats {
  p50Ms: number;
  p95Ms: number;
}

function stats(latencies: number[]): Stats {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { p50Ms: round(percentile(sorted, 50)), p95Ms: round(percentile(sorted, 95)) };
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** Adds `count` runs (numbered from `from`) with 11 metrics each, in set-based SQL. */
async function seed(client: pg.Client, from: number, count: number): Promise<void> {
  await client.query(
    `INSERT INTO run (kind, status, seed, group_name, params, created_at, finished_at)
     SELECT 'EVALUATE', 'SUCCEEDED', g % 5, 'group-' || (g % 300), jsonb_build_object('lr', 0.01 * (1 + g % 10), 'epochs', 10 + g % 3),
            now() - make_interval(secs => 1000000 - g), now()
     FROM generate_series($1::int, $2::int) g`,
    [from, from + count - 1],
  );
  await client.query(
    `INSERT INTO metric (run_id, benchmark_id, name, value, std, step)
     SELECT r.id, b.id, c.name, 0.5 + 0.45 * random(), 0.01 * random(), 0
     FROM (SELECT id FROM run WHERE group_name LIKE 'group-%' ORDER BY created_at DESC LIMIT $1) r
     CROSS JOIN unnest($2::text[], $3::text[]) AS c(benchmark, name)
     JOIN benchmark b ON b.name = c.benchmark`,
    [count, [...PAIRS, ...FMRS.map(() => "IJB-C")], [...PAIRS.map(() => "accuracy"), ...FMRS.map((f) => `tar@fmr=${f}`)]],
  );
}

/** One answer's latency, to its last byte received (timedGraphQL), its content checked. */
async function timeOnce(url: string, name: QueryName): Promise<number> {
  const { data, ms: elapsed } = await timedGraphQL(url, QUERIES[name], {});
  if (data.runs.nodes.length !== 100) throw new Error(`${name}: expected 100 runs, got ${data.runs.nodes.length}`);
  if (name === "baseline" && data.runs.nodes[0].metrics.length !== 11) throw new Error("baseline: expected 11 metrics per run");
  if (name === "summaries" && data.runs.nodes[0].metricSummaries.length !== 11) throw new Error("summaries: expected 11 metrics per run");
  if ((name === "columns" || name === "sorted" || name === "sortedMean") && data.runs.nodes[0].lfw == null) throw new Error(`${name}: no metric value`);
  return elapsed;
}

/** `clients` loops issuing the query at once; the latency of every request. */
async function concurrent(url: string, name: QueryName, clients: number, perClient: number): Promise<Stats & { requestsPerSecond: number; failed: number; firstError?: string }> {
  const latencies: number[] = [];
  const errors: string[] = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = 0; i < perClient; i++) {
        try {
          latencies.push(await timeOnce(url, name));
        } catch (error) {
          // Reported, not hidden: a failed request is part of the result under load.
          errors.push(String((error as Error).cause ?? error));
        }
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return { ...stats(latencies), requestsPerSecond: Math.round(latencies.length / seconds), failed: errors.length, ...(errors[0] ? { firstError: errors[0] } : {}) };
}

export async function run() {
  const sizes = (process.env.BENCH_RUNS_SIZES ?? "10000,100000").split(",").map(Number);
  const iterations = Number(process.env.BENCH_ITERATIONS ?? 100);
  const server = await startBenchServer();
  const client = new pg.Client({ connectionString: server.databaseUrl });
  await client.connect();
  const results: Record<string, unknown> = {};
  try {
    let seeded = 0;
    for (const size of sizes) {
      const seedStart = performance.now();
      await seed(client, seeded + 1, size - seeded);
      seeded = size;
      const seedMs = Math.round(performance.now() - seedStart);
      const names = Object.keys(QUERIES) as QueryName[];
      // Warm-up (10 rounds, as the leaderboard bench: repeated documents get compiled, V8
      // optimises the hot paths); still no ANALYZE by anyone but autovacuum.
      for (let round = 0; round < 10; round++) for (const name of names) await timeOnce(server.url, name);
      const latencies = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<QueryName, number[]>;
      for (let i = 0; i < iterations; i++) for (const name of names) latencies[name].push(await timeOnce(server.url, name));
      const sequential = Object.fromEntries(names.map((n) => [n, stats(latencies[n])])) as Record<QueryName, Stats>;
      const concurrentBaseline = await concurrent(server.url, "baseline", CONCURRENT_CLIENTS, 3);
      const concurrentSummaries = await concurrent(server.url, "summaries", CONCURRENT_CLIENTS, 3);
      const concurrentColumns = await concurrent(server.url, "columns", CONCURRENT_CLIENTS, 3);
      const result = {
        runs: size,
        seedMs,
        iterations,
        ...sequential,
        summariesVsBaselineP95: round(sequential.summaries.p95Ms / sequential.baseline.p95Ms * 100) / 100,
        columnsVsBaselineP95: round(sequential.columns.p95Ms / sequential.baseline.p95Ms * 100) / 100,
        concurrent100: { baseline: concurrentBaseline, summaries: concurrentSummaries, columns: concurrentColumns },
      };
      console.log(
        `runs table at ${size} runs x 11 metrics: baseline (all metrics) p95 ${sequential.baseline.p95Ms} ms, summaries p95 ${sequential.summaries.p95Ms} ms, ` +
          `columns p95 ${sequential.columns.p95Ms} ms, sorted by metric p95 ${sequential.sorted.p95Ms} ms (by a MEAN ${sequential.sortedMean.p95Ms} ms); ` +
          `100 concurrent clients: baseline p95 ${concurrentBaseline.p95Ms} ms, summaries p95 ${concurrentSummaries.p95Ms} ms, columns p95 ${concurrentColumns.p95Ms} ms`,
      );
      results[`runs${size}`] = result;
    }
    return results;
  } finally {
    await client.end();
    await server.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(JSON.stringify(await run(), null, 2));
}
