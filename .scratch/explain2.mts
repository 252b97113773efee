import pg from "pg";
import { readFileSync } from "node:fs";
import { leaderboardSql } from "../src/db/stores/leaderboard-store";
const db = process.argv[2] ?? "lb10k";
const c = new pg.Client({ connectionString: readFileSync(`/tmp/lb/${db}.url`, "utf8") }); await c.connect();
const b = (await c.query("SELECT id, name FROM benchmark")).rows as { id: string; name: string }[];
const id = (n: string) => b.find((x) => x.name === n)!.id;
const keys = (await c.query("select config_key from leaderboard_group where source is not null")).rows.map((r: any) => r.config_key);
const columns = ["LFW", "CFP-FP", "CPLFW", "CALFW", "AgeDB-30"].map((n) => ({ benchmarkId: id(n), name: "accuracy", aggregate: "LAST" as const }));
const q = leaderboardSql({ columns, grouping: { dataset: true, transferMethod: true, trainingDataset: false, params: { except: ["train.seed", "transfer.seed", "evaluate.seed"] }, group: false }, scope: {}, withRuns: false, publishedAverage: { name: "avg:accuracy", metric: "accuracy" }, configKeys: keys });
for (let i = 0; i < 3; i++) { const t = performance.now(); const r = await c.query(q.text, q.values as any[]); console.log("rows", r.rowCount, (performance.now() - t).toFixed(1), "ms"); }
const e = await c.query("EXPLAIN (ANALYZE) " + q.text, q.values as any[]);
console.log(e.rows.map((r: any) => r["QUERY PLAN"]).join("\n"));
await c.end();
