// The database a command-line tool (`npm run token`, `npm run migrate`) works on:
// DATABASE_URL, or the server's embedded cluster under DATA_DIR: the running one
// (its port read from postmaster.pid), else started briefly. A tool never
// initialises a cluster: with DATA_DIR pointing where no server ever ran, it says
// so instead of leaving a fresh empty cluster (and "database does not exist")
// behind. Every error about the database names the DATA_DIR or DATABASE_URL used.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { AppConfig } from "../config/config";
import { runningEmbeddedUrl, startEmbeddedPostgres } from "./embedded-postgres";

export const DATABASE_NAME = "realismlab";

export interface ToolDatabase {
  url: string;
  /** "DATABASE_URL=postgresql://user:***@host/db" or "DATA_DIR=/abs/path": where the tool looked. */
  label: string;
  stop(): Promise<void>;
}

export class DatabaseNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DatabaseNotFoundError";
  }
}

/** A database URL fit for messages: the password replaced by ***. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable URL)";
  }
}

export function databaseLabel(config: Pick<AppConfig, "DATABASE_URL" | "dataDir">): string {
  return config.DATABASE_URL ? `DATABASE_URL=${redactUrl(config.DATABASE_URL)}` : `DATA_DIR=${config.dataDir}`;
}

/** The port of a live postmaster owning `clusterDir`, from its postmaster.pid; null when none runs. */
async function runningPort(clusterDir: string): Promise<number | null> {
  const pidFile = await readFile(path.join(clusterDir, "postmaster.pid"), "utf8").catch(() => null);
  if (!pidFile) return null;
  const lines = pidFile.split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) return null;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: alive, owned by another user (the `postgres` user when run as root).
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return null;
  }
  return port;
}

export async function openToolDatabase(config: Pick<AppConfig, "DATABASE_URL" | "dataDir">): Promise<ToolDatabase> {
  const label = databaseLabel(config);
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, label, stop: async () => {} };
  const clusterDir = path.join(config.dataDir, "postgres");
  const initialised = await readFile(path.join(clusterDir, "PG_VERSION")).then(() => true, () => false);
  if (!initialised) {
    throw new DatabaseNotFoundError(
      `no RealismLab database under ${label} (${clusterDir} holds no PostgreSQL cluster). ` +
        "Run this with the DATA_DIR the server uses (e.g. DATA_DIR=/var/tmp/realismlab), start the server once there (npm start), or set DATABASE_URL.",
    );
  }
  const port = await runningPort(clusterDir);
  if (port) return { url: await runningEmbeddedUrl(clusterDir, port, DATABASE_NAME), label, stop: async () => {} };
  const embedded = await startEmbeddedPostgres(clusterDir);
  return { url: embedded.urlFor(DATABASE_NAME), label, stop: () => embedded.stop() };
}

/** Postgres' "database does not exist" (3D000) and refused connections, told with where the tool looked. */
export function explainDatabaseError(error: unknown, label: string): Error {
  const code = (error as { code?: string } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === "3D000") {
    return new DatabaseNotFoundError(`${message} (${label}). Start the server once with this setting (npm start creates and migrates it), or point DATA_DIR / DATABASE_URL at the server's database.`);
  }
  if (code === "ECONNREFUSED") return new DatabaseNotFoundError(`cannot connect to the database (${label}): ${message}`);
  return error instanceof Error ? error : new Error(message);
}
