// scratch: persistent embedded PG + app with the bench's seeds in two databases
import pg from "pg";
import { writeFileSync } from "node:fs";
import { startApp } from "../src/app";
import { loadConfig } from "../src/config/config";
import { ensureDatabase, startEmbeddedPostgres } from "../src/db/embedded-postgres";
import { migrate } from "../src/db/migrate";
import { seed } from "../bench/leaderboard";
const embedded = await startEmbeddedPostgres("/tmp/lb/pg");
for (const [name, runs, groups] of [["lb10k", 10000, 300], ["lb100k", 100000, 3000]] as const) {
  const url = await ensureDatabase(embedded, name);
  await migrate(url);
  const app = await startApp(loadConfig({ DATABASE_URL: url, PORT: "0", HOST: "127.0.0.1", DATA_ROOTS: "/tmp/lb", WORKER_IN_PROCESS: "false" }));
  const c = new pg.Client({ connectionString: url }); await c.connect();
  const have = (await c.query("SELECT count(*)::int n FROM run WHERE group_name LIKE 'bench-%'")).rows[0].n;
  if (have === 0) { const t = Date.now(); await seed(c, 0, runs, 0, groups); console.log(name, "seeded", Date.now() - t); }
  await c.query("ANALYZE"); // scratch only: plans examined here should hold unanalyzed too
  writeFileSync(`/tmp/lb/${name}.url`, url);
  await c.end(); await app.stop();
}
console.log("ready");
await new Promise(() => {});
