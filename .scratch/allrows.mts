import { readFileSync, writeFileSync } from "node:fs";
import { startApp } from "../src/app";
import { loadConfig } from "../src/config/config";
const url = readFileSync(`/tmp/lb/${process.argv[2] ?? "lb100k"}.url`, "utf8");
const app = await startApp(loadConfig({ DATABASE_URL: url, PORT: "0", HOST: "127.0.0.1", DATA_ROOTS: "/tmp/lb", WORKER_IN_PROCESS: "false" }));
const PAIRS = ["LFW", "CFP-FP", "CPLFW", "CALFW", "AgeDB-30"]; const FMRS = ["1e-6", "1e-5", "1e-4", "1e-3", "1e-2", "1e-1"];
const COLUMNS = [...PAIRS.map((benchmark) => ({ benchmark, metric: "accuracy" })), ...FMRS.map((f) => ({ benchmark: "IJB-C", metric: `tar@fmr=${f}` }))];
const QUERY = `query($columns: [LeaderboardColumnInput!]) { leaderboard(columns: $columns) { std rows { key label runCount published dataset { name } transferMethod { name } cells { n mean std best delta } average { n mean std best } } } }`;
const post = async () => { const r = await fetch(app.http.graphqlUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: QUERY, variables: { columns: COLUMNS } }) }); return (await r.text()).length; };
for (let i = 0; i < 3; i++) await post();
const { Session } = await import("node:inspector/promises");
const session = new Session(); session.connect(); await session.post("Profiler.enable"); await session.post("Profiler.start");
const ts: number[] = [];
for (let i = 0; i < 30; i++) { const t = performance.now(); await post(); ts.push(performance.now() - t); }
const { profile } = await session.post("Profiler.stop");
writeFileSync("/tmp/prof/allrows.cpuprofile", JSON.stringify(profile));
ts.sort((a, b) => a - b); console.log("p50", ts[15]!.toFixed(1), "min", ts[0]!.toFixed(1));
await app.stop();
