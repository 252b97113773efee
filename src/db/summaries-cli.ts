// `npm run summaries:rebuild`: recompute the maintained summaries (run x metric, and the
// leaderboard's group aggregates) from scratch, on DATABASE_URL or the embedded database
// under DATA_DIR (src/db/tool-database.ts). Triggers keep them current; this is for
// repair and for checking them (see src/db/summaries.ts).
import pg from "pg";
import { loadConfig } from "../config/config";
import { rebuildSummaries } from "./summaries";
import { explainDatabaseError, openToolDatabase } from "./tool-database";

try {
  const config = loadConfig();
  const target = await openToolDatabase(config);
  const client = new pg.Client({ connectionString: target.url });
  try {
    await client.connect();
    const counts = await rebuildSummaries(client);
    console.log(`rebuilt: ${Object.entries(counts).map(([t, n]) => `${t} ${n} rows`).join(", ")} (${target.label})`);
  } catch (error) {
    throw explainDatabaseError(error, target.label);
  } finally {
    await client.end().catch(() => undefined);
    await target.stop();
  }
  process.exit(0);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
