// A database migrated only up to the migration before `migration`, for tests that write rows the
// way the older schema held them and then check what applying `migration` (and those after it)
// does to them.
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { migrate, MIGRATIONS_DIR } from "../../src/db/migrate";

export interface MigrationDatabase {
  client: pg.Client;
  /** INSERTs one row (objects as JSON) and returns its id. */
  insert(table: string, values: Record<string, unknown>): Promise<string>;
  /** Applies every remaining migration; returns their names in order. */
  migrateRest(): Promise<string[]>;
  drop(): Promise<void>;
}

export async function databaseBefore(migration: string): Promise<MigrationDatabase> {
  const adminUrl = inject("adminDatabaseUrl");
  const name = `realismlab_migration_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;

  const olderDir = await mkdtemp(path.join(tmpdir(), "realismlab-migrations-"));
  for (const entry of await readdir(MIGRATIONS_DIR)) {
    if (entry < migration) await cp(path.join(MIGRATIONS_DIR, entry), path.join(olderDir, entry), { recursive: true });
  }
  await migrate(url.toString(), olderDir);
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();

  return {
    client,
    async insert(table, values) {
      const keys = Object.keys(values);
      const { rows } = await client.query(
        `INSERT INTO "${table}" (${keys.map((k) => `"${k}"`).join(", ")}) VALUES (${keys.map((_, i) => `$${i + 1}`).join(", ")}) RETURNING id`,
        keys.map((k) => (values[k] !== null && typeof values[k] === "object" ? JSON.stringify(values[k]) : values[k])),
      );
      return String(rows[0].id);
    },
    migrateRest: () => migrate(url.toString()),
    async drop() {
      await client.end();
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
      await rm(olderDir, { recursive: true, force: true });
    },
  };
}
