// Faults survived: Postgres connections dropped under a running server, an API
// process restarted under a subscribed client, an output folder that cannot be
// written, a worker stopped with SIGTERM mid-run (checkpointed, then resumed).
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { gqlData, subscribe, wsClient } from "../helpers/graphql-client";
import { freePort, startChild, type Child } from "../helpers/process";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { LAUNCH, registerBigDataset, setUpTransfer } from "../helpers/transfer-setup";

async function waitFor<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!ok(value)) {
    if (Date.now() > deadline) throw new Error(`timed out; last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
    value = await read();
  }
  return value;
}

describe("in one server", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ WORKER_IN_PROCESS: "true", HEARTBEAT_INTERVAL_MS: "300" });
  });
  afterAll(() => server?.close());

  it("recovers when Postgres drops every connection, without a restart", async () => {
    const client = wsClient(server.wsUrl);
    const updates = subscribe(client, `subscription { runUpdated { id status } }`);
    await new Promise((r) => setTimeout(r, 300));
    const admin = new pg.Client({ connectionString: server.database.url });
    await admin.connect();
    const { rowCount } = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
    await admin.end();
    expect(rowCount).toBeGreaterThan(0);
    // Queries work again (the pool replaces dead connections; one retry covers a connection killed mid-flight).
    const run = await waitFor(
      () => gqlData(server.url, `mutation { createRun(input: { kind: TRAIN, name: "after the drop" }) { id } }`).catch(() => null),
      (value) => value !== null,
      10_000,
    );
    // The LISTEN connection reconnected too: events flow again (new runs until one's event arrives).
    const createdAfterDrop = new Set<string>([run!.createRun.id]);
    await waitFor(
      async () => {
        createdAfterDrop.add((await gqlData(server.url, `mutation { createRun(input: { kind: TRAIN }) { id } }`)).createRun.id);
        return updates.events.some((e: any) => createdAfterDrop.has(e.runUpdated.id));
      },
      (seen) => seen,
      30_000,
    );
    await client.dispose();
  });

  it("fails a transfer whose output folder cannot be written, with a clear error", async () => {
    const setup = await setUpTransfer(server.url, server.dataRoot, { identities: 2, imagesPerIdentity: 2 });
    // A plain file where the output folder must go: mkdir fails as on a read-only or full disk.
    await mkdir(path.join(server.dataRoot, "transfers"), { recursive: true });
    await writeFile(path.join(server.dataRoot, "transfers", "blocked-out"), "in the way");
    const run = (await gqlData(server.url, LAUNCH, { datasetId: setup.datasetId, methodId: setup.methodId, options: { outputName: "blocked-out" } })).launchTransfer;
    const state = await waitFor(
      async () => (await gqlData(server.url, `query($id: ID!) { run(id: $id) { status error } }`, { id: run.id })).run,
      (r) => r.status === "FAILED" || r.status === "SUCCEEDED",
      30_000,
    );
    expect(state.status).toBe("FAILED");
    expect(state.error).toMatch(/blocked-out/);
    expect(state.error).toMatch(/EEXIST|ENOTDIR|not a directory|exists/i);
  });
});

describe("across processes", () => {
  const TSX = [process.execPath, "--import", "tsx"] as const;
  let database: TestDatabase;
  let dataRoot: string;
  const children: Child[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataRoot = await mkdtemp(path.join(os.tmpdir(), "realismlab-faults-"));
    env = { DATABASE_URL: database.url, HOST: "127.0.0.1", DATA_ROOTS: dataRoot, AUTH_REQUIRED: "false", HEARTBEAT_INTERVAL_MS: "300", HEARTBEAT_TIMEOUT_MS: "5000" };
  });
  afterAll(async () => {
    for (const child of children) child.kill("SIGKILL");
    await Promise.all(children.map((c) => c.exited()));
    await database?.drop();
    await rm(dataRoot, { recursive: true, force: true });
  });

  const start = async (script: string, extra: Record<string, string>, ready: RegExp) => {
    const child = startChild(TSX[0], [...TSX.slice(1), script], { ...env, ...extra });
    children.push(child);
    await child.waitFor(ready, 90_000);
    return child;
  };

  it("keeps a subscribed client receiving progress across an API restart, and a SIGTERMed worker's run resumes", async () => {
    const port = String(await freePort());
    let api = await start("src/main.ts", { PORT: port, WORKER_IN_PROCESS: "false" }, /RealismLab is running/);
    const url = `http://127.0.0.1:${port}/graphql`;
    const setup = await setUpTransfer(url, dataRoot, { identities: 2, imagesPerIdentity: 2 });
    const datasetId = await registerBigDataset(url, dataRoot, "digiface-restart", 120, 10);
    let worker = await start("src/worker-main.ts", {}, /worker .* ready/);
    const run = (await gqlData(url, LAUNCH, { datasetId, methodId: setup.methodId, options: { batchSize: 1, outputName: "restart-out", maxAttempts: 2 } })).launchTransfer;

    const client = createClient({ url: `ws://127.0.0.1:${port}/graphql`, webSocketImpl: WebSocket, retryAttempts: 300, retryWait: async () => new Promise((r) => setTimeout(r, 300)), shouldRetry: () => true });
    const progress = subscribe(client, `subscription($id: ID!) { runProgress(runId: $id) { done total } }`, { id: run.id });
    await progress.next((e: any) => e.runProgress.done > 0, 60_000);

    // SIGTERM the worker mid-run: it stops taking jobs and checkpoints the run back to the queue.
    worker.kill("SIGTERM");
    expect(await worker.exited()).toBe(0);
    const requeued = (await gqlData(url, `query($id: ID!) { run(id: $id) { status error } }`, { id: run.id })).run;
    expect(requeued.status).toBe("QUEUED");
    expect(requeued.error).toMatch(/shutting down/);
    worker = await start("src/worker-main.ts", {}, /worker .* ready/);
    await waitFor(async () => (await gqlData(url, `query($id: ID!) { run(id: $id) { status } }`, { id: run.id })).run.status, (s) => s === "RUNNING", 30_000);

    // Restart the API under the subscribed client: it reconnects and keeps receiving progress.
    api.kill("SIGTERM");
    expect(await api.exited()).toBe(0);
    const beforeRestart = progress.events.length;
    api = await start("src/main.ts", { PORT: port, WORKER_IN_PROCESS: "false" }, /RealismLab is running/);
    await waitFor(async () => progress.events.length, (n) => n > beforeRestart + 1, 30_000);

    const done = await waitFor(
      async () => (await gqlData(url, `query($id: ID!) { run(id: $id) { status details } }`, { id: run.id })).run,
      (r) => r.status === "SUCCEEDED" || r.status === "FAILED",
      120_000,
    );
    expect(done.status).toBe("SUCCEEDED");
    expect(done.details.skipped).toBeGreaterThan(0); // resumed, not redone
    expect(done.details.processed + done.details.skipped).toBe(1200);
    await client.dispose();
  }, 300_000);
});
