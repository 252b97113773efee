import { readFileSync } from "node:fs";
import pg from "pg";
import { startApp } from "../src/app";
import { loadConfig } from "../src/config/config";
const url = readFileSync(`/tmp/lb/${process.argv[2] ?? "lb100k"}.url`, "utf8");
const app = await startApp(loadConfig({ DATABASE_URL: url, PORT: "0", HOST: "127.0.0.1", DATA_ROOTS: "/tmp/lb", WORKER_IN_PROCESS: "false" }));
const c = new pg.Client({ connectionString: url }); await c.connect();
const src = readFileSync("web/src/pages/Leaderboard.tsx", "utf8");
const QUERY = /const QUERY = (?:graphql\()?`([^`]+)`/.exec(src)![1]!;
const post = async () => { const r = await fetch(app.http.graphqlUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: QUERY, variables: { preset: "PAPER_TABLE_2", first: 50 } }) }); const t = await r.text(); if (!t.includes('"rows"')) throw new Error(t.slice(0, 300)); return t.length; };
for (let i = 0; i < 3; i++) await post();
const runs = (await c.query("SELECT id FROM run WHERE group_name LIKE 'bench-%' ORDER BY created_at DESC LIMIT 30")).rows.map((r) => r.id);
const hit: number[] = [], miss: number[] = [], write: number[] = [];
for (const id of runs) {
  let t = performance.now();
  await c.query("UPDATE metric SET value = value WHERE run_id = $1 AND name = 'accuracy' AND benchmark_id = (SELECT id FROM benchmark WHERE name = 'LFW')", [id]);
  write.push(performance.now() - t);
  t = performance.now(); await post(); miss.push(performance.now() - t);
  t = performance.now(); await post(); hit.push(performance.now() - t);
}
const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))]!.toFixed(1);
console.log("write p50", p(write, 0.5), "| after write p50", p(miss, 0.5), "p95", p(miss, 0.95), "| kept p50", p(hit, 0.5), "p95", p(hit, 0.95));
await c.end(); await app.stop();
