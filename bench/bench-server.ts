// A real server for benchmarks: an embedded PostgreSQL in a temp folder (or
// DATABASE_URL), a fresh database, and the app on a free port.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startApp, type RunningApp } from "../src/app";
import { loadConfig } from "../src/config/config";
import { startEmbeddedPostgres } from "../src/db/embedded-postgres";

export interface BenchServer {
  app: RunningApp;
  url: string;
  databaseUrl: string;
  dataRoot: string;
  close(): Promise<void>;
}

export async function startBenchServer(env: Record<string, string> = {}): Promise<BenchServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "realismlab-bench-"));
  await chmod(dir, 0o755);
  const embedded = process.env.DATABASE_URL ? null : await startEmbeddedPostgres(path.join(dir, "pg"));
  const adminUrl = process.env.DATABASE_URL ?? embedded!.url;
  const name = `realismlab_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const dataRoot = path.join(dir, "data");
  const app = await startApp(
    loadConfig({ DATABASE_URL: databaseUrl, PORT: "0", HOST: "127.0.0.1", DATA_ROOTS: dir, WORKER_IN_PROCESS: "false", AUTH_REQUIRED: "false", ...env }),
  );
  return {
    app,
    url: app.http.graphqlUrl,
    databaseUrl,
    dataRoot,
    async close() {
      await app.stop();
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
      await embedded?.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function percentile(sortedMs: number[], p: number): number {
  const index = Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1);
  return sortedMs[Math.max(0, index)]!;
}

export async function postGraphQL(url: string, query: string, variables: Record<string, unknown>): Promise<any> {
  return (await timedGraphQL(url, query, variables)).data;
}

/**
 * An answer and its latency: from sending the request to its last byte received. The answer
 * is decoded and parsed after that: a bench client shares its process with the server, and
 * decoding the answer is the client's cost, not the server's answer time.
 */
export async function timedGraphQL(url: string, query: string, variables: Record<string, unknown>): Promise<{ data: any; ms: number; bytes: number }> {
  const start = performance.now();
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
  const bytes = await response.arrayBuffer();
  const ms = performance.now() - start;
  const body = JSON.parse(new TextDecoder().decode(bytes)) as { data?: unknown; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return { data: body.data, ms, bytes: bytes.byteLength };
}
