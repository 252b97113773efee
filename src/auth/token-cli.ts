// `npm run token -- create --scope launch --scope write --name ci [--expires-days 90]`
// `npm run token -- list` / `npm run token -- revoke ID`
// Works on the server's database: DATABASE_URL, or the embedded one under DATA_DIR
// (reusing the running cluster when the server is up, else starting it briefly).
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../config/config";
import { runningEmbeddedUrl, startEmbeddedPostgres } from "../db/embedded-postgres";
import { migrate } from "../db/migrate";
import { openDatabase } from "../db/prisma";
import { createStores } from "../db/stores";
import type { TokenScope } from "../generated/prisma/enums";
import { createAuthService } from "../services/auth-service";

const USAGE = `usage:
  npm run token -- create --name NAME --scope read|write|launch|admin [--scope ...] [--expires-days N]
  npm run token -- list
  npm run token -- revoke TOKEN_ID`;

async function databaseUrl(config: ReturnType<typeof loadConfig>) {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, stop: async () => {} };
  const dir = path.join(config.dataDir, "postgres");
  const pid = await readFile(path.join(dir, "postmaster.pid"), "utf8").catch(() => null);
  const port = pid?.split("\n")[3]?.trim();
  if (port) return { url: await runningEmbeddedUrl(dir, Number(port), "realismlab"), stop: async () => {} };
  const embedded = await startEmbeddedPostgres(dir);
  return { url: embedded.urlFor("realismlab"), stop: () => embedded.stop() };
}

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
  const target = await databaseUrl(config);
  await migrate(target.url);
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
