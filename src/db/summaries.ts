// Rebuilding the maintained summaries from scratch. The SQL functions live in the
// migrations (run_metric_summary_rebuild in 20261130160000_run_metric_summary,
// leaderboard_group_rebuild in 20261130160100_leaderboard_group_summary); this
// runs them in one transaction and reports the row counts.
import type pg from "pg";

/** The summary tables and the SQL function rebuilding each, in dependency order. */
export const SUMMARY_TABLES = [
  { table: "run_metric_summary", rebuild: "run_metric_summary_rebuild" },
  { table: "leaderboard_group", rebuild: "leaderboard_group_rebuild" },
] as const;

export async function rebuildSummaries(client: pg.Client): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  await client.query("BEGIN");
  try {
    for (const { table, rebuild } of SUMMARY_TABLES) {
      await client.query(`SELECT ${rebuild}()`);
      const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
      counts[table] = Number(rows[0]!.n);
    }
    // Fresh statistics for the planner after a bulk rewrite.
    for (const table of ["run_metric_summary", "leaderboard_group", "leaderboard_group_metric", "leaderboard_group_pair"]) {
      await client.query(`ANALYZE ${table}`);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
  return counts;
}
