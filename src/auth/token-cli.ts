// `npm run token -- create --scope launch --scope write --name ci [--expires-days 90]`
// `npm run token -- list` / `npm run token -- revoke ID`
// Works on the server's database: DATABASE_URL, or the embedded one under DATA_DIR
// (src/db/tool-database.ts: the running cluster, else started briefly; never a new one).
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../config/config";
import type { TokenScope } from "../generated/prisma/enums";
import { openToolDatabase } from "../db/tool-database";
import { startServices, type StartedServices } from "../startup";

const USAGE = `usage:
  npm run token -- create --name NAME --scope read|write|launch|admin [--scope ...] [--expires-days N]
  npm run token -- list
  npm run token -- revoke TOKEN_ID`;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { name: { type: "string" }, scope: { type: "string", multiple: true }, "expires-days": { type: "string" } },
  });
  const [command, id] = positionals;
  if (!command || !["create", "list", "revoke"].includes(command)) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  const target = await openToolDatabase(config);
  let started: StartedServices;
  try {
    started = await startServices(config, target, { max: 2, apiUrl: () => config.apiUrl ?? `http://localhost:${config.PORT}/graphql`, log: console.warn });
  } catch (error) {
    await target.stop();
    throw error;
  }
  const { db, services: { auth } } = started;
  try {
    if (command === "create") {
      const scopes = (values.scope ?? []).map((s) => s.toUpperCase()) as TokenScope[];
      const bad = scopes.filter((s) => !["READ", "WRITE", "LAUNCH", "ADMIN"].includes(s));
      if (!values.name || !scopes.length || bad.length) {
        console.error(bad.length ? `unknown scope ${bad.join(", ")}` : USAGE);
        return 2;
      }
      const { secret, record } = await auth.createToken({
        name: values.name,
        scopes,
        expiresInDays: values["expires-days"] ? Number(values["expires-days"]) : null,
      });
      console.log(`token ${record.id} "${record.name}" (${record.scopes.join(", ")}) — shown once, keep it:\n${secret}`);
    } else if (command === "list") {
      for (const t of await auth.listTokens()) {
        console.log(`${t.id}  ${t.name}  ${t.scopes.join(",")}  ${t.revokedAt ? "revoked" : "active"}  last used ${t.lastUsedAt?.toISOString() ?? "never"}`);
      }
    } else {
      if (!id) {
        console.error(USAGE);
        return 2;
      }
      await auth.revokeToken(id);
      console.log(`revoked ${id}`);
    }
    return 0;
  } finally {
    await db.close();
    await target.stop();
  }
}

try {
  process.exit(await main());
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : (error as Error).message);
  process.exit(1);
}
