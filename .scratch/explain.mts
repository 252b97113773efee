import pg from "pg";
import { readFileSync } from "node:fs";
import { leaderboardFromSummariesSql } from "../src/db/stores/leaderboard-summary-sql";
import { leaderboardSql } from "../src/db/stores/leaderboard-store";
const db = process.argv[2] ?? "lb10k";
const which = process.argv[3] ?? "summary";
const c = new pg.Client({ connectionString: readFileSync(`/tmp/lb/${db}.url`, "utf8") }); await c.connect();
const b = (await c.query("SELECT id, name FROM benchmark")).rows as { id: string; name: string }[];
const id = (n: string) => b.find((x) => x.name === n)!.id;
const columns = ["LFW", "CFP-FP", "CPLFW", "CALFW", "AgeDB-30"].map((n) => ({ benchmarkId: id(n), name: "accuracy", aggregate: "LAST" as const }));
const q = which === "summary" ? leaderboardFromSummariesSql(columns, false, true)
  : leaderboardSql({ columns, grouping: { dataset: true, transferMethod: true, trainingDataset: false, params: { except: ["seed", "train.seed", "evaluate.seed"] }, group: false } as any, scope: {}, withRuns: false, publishedAverage: { name: "avg:accuracy", metric: "accuracy" }, configKeys: process.argv[4] ? [process.argv[4]] : undefined });
for (let i = 0; i < 3; i++) { const t = performance.now(); const r = await c.query(q.text, q.values as any[]); console.log("rows", r.rowCount, (performance.now() - t).toFixed(1), "ms"); }
const e = await c.query("EXPLAIN (ANALYZE, BUFFERS) " + q.text, q.values as any[]);
console.log(e.rows.map((r: any) => r["QUERY PLAN"]).join("\n"));
await c.end();
