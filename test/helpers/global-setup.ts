// Once per `vitest run`: a real PostgreSQL (DATABASE_URL if set, else an embedded
// cluster under the system temp folder, which the `postgres` user can reach even
// when the checkout sits under /root) and a migrated template database that each
// test file clones (test/helpers/database.ts).
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../../src/db/embedded-postgres";
import { migrate } from "../../src/db/migrate";

export const TEMPLATE_DATABASE = `realismlab_template_${process.pid}`;

declare module "vitest" {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    templateDatabase: string;
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export default async function setup(project: TestProject) {
  let embedded: EmbeddedDatabase | null = null;
  let clusterDir: string | null = null;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    clusterDir = await mkdtemp(path.join(os.tmpdir(), "realismlab-test-pg-"));
    await chmod(clusterDir, 0o755); // the `postgres` user must be able to enter it when we are root
    embedded = await startEmbeddedPostgres(path.join(clusterDir, "data"));
    adminUrl = embedded.url;
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${TEMPLATE_DATABASE}"`);
  await admin.query(`CREATE DATABASE "${TEMPLATE_DATABASE}"`);
  await admin.end();
  await migrate(withDatabase(adminUrl, TEMPLATE_DATABASE));

  project.provide("adminDatabaseUrl", adminUrl);
  project.provide("templateDatabase", TEMPLATE_DATABASE);

  return async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${TEMPLATE_DATABASE}" WITH (FORCE)`).catch(() => undefined);
    await client.end();
    await embedded?.stop();
    if (clusterDir) await rm(clusterDir, { recursive: true, force: true });
  };
}
