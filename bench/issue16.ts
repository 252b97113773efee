// Issue 16's figures in one run (`npm run bench -- issue16`): the leaderboard at 10k and
// 100k runs (the issue's query and the dashboard's exact query against the full-recompute
// SQL, measured right after seeding without a manual ANALYZE), the runs table at 10k and
// 100k (sequential and with 100 concurrent clients), and logMetrics ingestion against a
// raw INSERT without the summary triggers. Each bench measures its baseline in the same
// process and database (each bench runs in a process of its own); the machine is shared,
// so read the ratios, not the absolutes.
import type { IngestionResult } from "./ingest-and-runs-query";
import type { LeaderboardBenchResult } from "./leaderboard";
import { runInOwnProcess } from "./own-process";

interface RunsSize {
  runs: number;
  baseline: { p95Ms: number };
  summaries: { p95Ms: number };
  columns: { p95Ms: number };
  sorted: { p95Ms: number };
  sortedMean: { p95Ms: number };
  concurrent100: { baseline: { p95Ms: number; failed: number }; summaries: { p95Ms: number; failed: number }; columns: { p95Ms: number; failed: number } };
}

const ms = (v: number) => `${v.toFixed(1)} ms`;

export async function run() {
  // Each bench in its own process (own-process.ts), one after the other.
  const board = await runInOwnProcess<LeaderboardBenchResult>("leaderboard");
  const { ingestion } = await runInOwnProcess<{ ingestion: IngestionResult }>("ingest", { BENCH_INGEST_ONLY: "1" });
  const runs = await runInOwnProcess<Record<string, RunsSize>>("runs-table");

  const lines = [
    "",
    "issue 16, one run:",
    "",
    "| size | leaderboard GraphQL p95, every row (KiB) | dashboard query p95, one page (KiB) | right after a write p95: every row / dashboard | full-recompute SQL p95 | full SQL / every row / dashboard | target: every row / dashboard |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const s of board.sizes) {
    const verdict = (p95: number) => (p95 < s.targetP95Ms ? "PASS" : "FAIL");
    lines.push(
      `| ${s.size} (${s.rows} rows) | ${ms(s.graphql.p95)} (${(s.graphqlBytes / 1024).toFixed(0)}) | ${ms(s.dashboard.p95)} (${(s.dashboardBytes / 1024).toFixed(0)}) | ${ms(s.graphqlAfterWrite.p95)} / ${ms(s.dashboardAfterWrite.p95)} | ${ms(s.fullSql.p95)} | ${s.speedupP95.toFixed(1)}x / ${(s.fullSql.p95 / s.dashboard.p95).toFixed(1)}x | < ${s.targetP95Ms} ms: ${verdict(s.graphql.p95)} / ${verdict(s.dashboard.p95)} |`,
    );
  }
  lines.push("", `first answers right after seeding: ${board.sizes.map((s) => `${s.size}: dashboard ${ms(s.firstDashboardMs)}, every row ${ms(s.firstGraphqlMs)}`).join("; ")}`);
  lines.push("", "| runs | runs(first: 100) + metrics (all points) p95 | + metricSummaries p95 (vs all points) | columns p95 | metric-sorted p95: BEST / MEAN | 100 clients: + metrics p95 | 100 clients: + metricSummaries p95 | 100 clients: columns p95 |", "|---|---|---|---|---|---|---|---|");
  for (const r of Object.values(runs)) {
    lines.push(
      `| ${r.runs} | ${ms(r.baseline.p95Ms)} | ${ms(r.summaries.p95Ms)} (${(r.summaries.p95Ms / r.baseline.p95Ms).toFixed(2)}x) | ${ms(r.columns.p95Ms)} | ${ms(r.sorted.p95Ms)} / ${ms(r.sortedMean.p95Ms)} | ${ms(r.concurrent100.baseline.p95Ms)} (${r.concurrent100.baseline.failed} failed) | ${ms(r.concurrent100.summaries.p95Ms)} (${r.concurrent100.summaries.failed} failed) | ${ms(r.concurrent100.columns.p95Ms)} (${r.concurrent100.columns.failed} failed) |`,
    );
  }
  lines.push(
    "",
    `ingestion: logMetrics ${ingestion.graphqlPointsPerSecond} points/s; raw INSERT without the summary triggers (foreign keys checked) ${ingestion.unmaintainedInsertPointsPerSecond} points/s -> ${ingestion.ratioToUnmaintainedInsert.toFixed(2)}x (target >= 0.5x); bare raw INSERT (no triggers, no foreign-key checks) ${ingestion.bareInsertPointsPerSecond} points/s -> ${ingestion.ratioToBareInsert.toFixed(2)}x; raw INSERT with them ${ingestion.rawPointsPerSecond} points/s`,
  );
  console.log(lines.join("\n"));
  return { leaderboard: board, ingestion, runsTable: runs };
}
