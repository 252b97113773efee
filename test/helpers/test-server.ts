// Starts a real RealismLab server (HTTP + WebSocket on a free port) over a fresh
// test database, in this process. Tests talk to it through real clients.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startApp, type AppOptions, type RunningApp } from "../../src/app";
import { loadConfig } from "../../src/config/config";
import { createTestDatabase, type TestDatabase } from "./database";

export interface TestServer {
  app: RunningApp;
  url: string;
  wsUrl: string;
  database: TestDatabase;
  dataRoot: string;
  close(): Promise<void>;
}

export async function startTestServer(env: Record<string, string> = {}, options: AppOptions = {}): Promise<TestServer> {
  const database = await createTestDatabase();
  const dataRoot = await mkdtemp(path.join(os.tmpdir(), "realismlab-data-"));
  const config = loadConfig({
    DATABASE_URL: database.url,
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_ROOTS: dataRoot,
    WORKER_IN_PROCESS: "false",
    // Most tests exercise features, not tokens; test/security turns auth on.
    AUTH_REQUIRED: "false",
    // Runs' metric lists stay what each test logged; test/worker/system-metrics.test.ts turns sampling on.
    SYSTEM_METRICS_INTERVAL_MS: "0",
    // GRAPHQL_COMPILE_AFTER=0 npm test runs every query through graphql-jit (compatibility check).
    ...(process.env.GRAPHQL_COMPILE_AFTER ? { GRAPHQL_COMPILE_AFTER: process.env.GRAPHQL_COMPILE_AFTER } : {}),
    ...env,
  });
  const app = await startApp(config, undefined, options);
  return {
    app,
    url: app.http.graphqlUrl,
    wsUrl: app.http.wsUrl,
    database,
    dataRoot,
    async close() {
      await app.stop();
      await database.drop();
      await rm(dataRoot, { recursive: true, force: true });
    },
  };
}
