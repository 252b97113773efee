// `npm run migrate`: apply pending migrations to DATABASE_URL, or to the embedded
// database under DATA_DIR (src/db/tool-database.ts).
import { loadConfig } from "../config/config";
import { migrate } from "./migrate";
import { explainDatabaseError, openToolDatabase } from "./tool-database";

try {
  const config = loadConfig();
  const target = await openToolDatabase(config);
  try {
    const applied = await migrate(target.url);
    console.log(applied.length ? `applied: ${applied.join(", ")} (${target.label})` : `database is up to date (${target.label})`);
  } catch (error) {
    throw explainDatabaseError(error, target.label);
  } finally {
    await target.stop();
  }
  process.exit(0);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
