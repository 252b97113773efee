// `npm run migrate`: apply pending migrations to DATABASE_URL.
import { loadConfig } from "../config/config";
import { migrate } from "./migrate";

const config = loadConfig();
if (!config.DATABASE_URL) {
  console.error("DATABASE_URL is not set: `npm run migrate` needs the database to migrate (npm start migrates the embedded one itself).");
  process.exit(1);
}
const applied = await migrate(config.DATABASE_URL);
console.log(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
