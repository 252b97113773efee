import { readFileSync } from "node:fs";
import pg from "pg";
import { startApp } from "../src/app";
import { loadConfig } from "../src/config/config";
import { resolveLeaderboardInput } from "../src/services/leaderboard/input";
const url = readFileSync(`/tmp/lb/${process.argv[2] ?? "lb10k"}.url`, "utf8");
const app = await startApp(loadConfig({ DATABASE_URL: url, PORT: "0", HOST: "127.0.0.1", DATA_ROOTS: "/tmp/lb", WORKER_IN_PROCESS: "false" }));
const c = new pg.Client({ connectionString: url }); await c.connect();
const st = app.services.stores.leaderboard;
const resolved = await resolveLeaderboardInput(app.services.stores, { preset: "PAPER_TABLE_2" });
const query = { ...resolved.query, withRuns: false };
const runs = (await c.query("SELECT id FROM run WHERE group_name LIKE 'bench-%' ORDER BY created_at DESC LIMIT 20")).rows.map((r) => r.id);
const t: Record<string, number[]> = {};
const time = async <T>(k: string, f: () => Promise<T>) => { const s = performance.now(); const r = await f(); (t[k] ??= []).push(performance.now() - s); return r; };
for (const id of runs) {
  const v0 = await st.version();
  await c.query("UPDATE metric SET value = value WHERE run_id = $1 AND name = 'accuracy' AND benchmark_id = (SELECT id FROM benchmark WHERE name = 'LFW')", [id]);
  await time("version", () => st.version());
  const keys = await time("changed", () => st.changedConfigKeys(v0.version, 200));
  await time("rows", () => st.leaderboard({ ...query, onlyConfigKeys: keys! }));
  await time("service", () => app.services.leaderboard.leaderboard({ preset: "PAPER_TABLE_2" }, { withRuns: false, page: { first: 50 } }));
  await time("service-hit", () => app.services.leaderboard.leaderboard({ preset: "PAPER_TABLE_2" }, { withRuns: false, page: { first: 50 } }));
}
for (const [k, v] of Object.entries(t)) { const s = v.sort((a, b) => a - b); console.log(k.padEnd(12), "p50", s[Math.floor(s.length / 2)]!.toFixed(2), "max", s.at(-1)!.toFixed(2)); }
await c.end(); await app.stop();
