import { readFileSync } from "node:fs";
import { startApp } from "../src/app";
import { loadConfig } from "../src/config/config";
import { resolveLeaderboardInput } from "../src/services/leaderboard/input";
import { buildLeaderboard, createRowKeys } from "../src/services/leaderboard/rows";
const db = process.argv[2] ?? "lb10k";
const url = readFileSync(`/tmp/lb/${db}.url`, "utf8");
const app = await startApp(loadConfig({ DATABASE_URL: url, PORT: "0", HOST: "127.0.0.1", DATA_ROOTS: "/tmp/lb", WORKER_IN_PROCESS: "false" }));
const stores = app.services.stores;
const input = { preset: "PAPER_TABLE_2" as const };
const keyOf = createRowKeys();
const t: Record<string, number[]> = {};
const time = async <T>(k: string, f: () => Promise<T> | T): Promise<T> => { const s = performance.now(); const r = await f(); (t[k] ??= []).push(performance.now() - s); return r; };
for (let i = 0; i < 40; i++) {
  const resolved = await time("resolve", () => resolveLeaderboardInput(stores, input));
  const groups = await time("store", () => stores.leaderboard.leaderboard({ ...resolved.query, withRuns: false }));
  const keys = await time("keys", () => groups.map(keyOf));
  const board = await time("build", () => buildLeaderboard(groups, resolved, keys));
  await time("spreads", () => stores.leaderboard.averageSpreads(resolved.query.columns, groups.slice(0, 50)));
  await time("service", () => app.services.leaderboard.leaderboard(input, { withRuns: false, page: { first: 50 } }));
}
for (const [k, v] of Object.entries(t)) { const s = v.slice(10).sort((a, b) => a - b); console.log(k.padEnd(10), "p50", s[Math.floor(s.length / 2)]!.toFixed(2), "p95", s[Math.floor(s.length * 0.95)]!.toFixed(2)); }
await app.stop();
