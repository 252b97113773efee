// `npm run token -- create --scope launch --scope write --name ci [--expires-days 90]`
// `npm run token -- list` / `npm run token -- revoke ID`
// Works on the server's database: DATABASE_URL, or the embedded one under DATA_DIR
// (src/db/tool-database.ts: the running cluster, else started briefly; never a new one).
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../config/config";
import { migrate } from "../db/migrate";
import { openDatabase } from "../db/prisma";
import { createStores } from "../db/stores";
import type { TokenScope } from "../generated/prisma/enums";
import { explainDatabaseError, openToolDatabase } from "../db/tool-database";
import { createAuthService } from "../services/auth-service";

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
  try {
    await migrate(target.url);
  } catch (error) {
    await target.stop();
    throw explainDatabaseError(error, target.label);
  }
  const db = openDatabase(target.url, { max: 2 });
  const auth = createAuthService(createStores(db.prisma), { required: true, readsPublic: true });
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
