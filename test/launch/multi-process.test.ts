// Workers and API replicas share nothing but Postgres: a client subscribed to one
// server process sees the progress of a run launched through another server and
// executed by a standalone worker process. A worker killed with SIGKILL mid-run
// leaves no run RUNNING forever: FAILED after the heartbeat timeout, or re-queued
// and resumed by another worker when its retry policy allows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import path from "node:path";
import { gqlData, subscribe, wsClient } from "../helpers/graphql-client";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { freePort, startChild, type Child } from "../helpers/process";
import { LAUNCH, RUN_STATE, registerBigDataset, setUpTransfer, type TransferSetup } from "../helpers/transfer-setup";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";

// node --import tsx: one process, so a signal reaches the server itself (tsx would fork a child).
const TSX = process.execPath;
const TSX_ARGS = ["--import", "tsx"];
const HEARTBEAT_TIMEOUT_MS = 3_000;

let database: TestDatabase;
let dataRoot: string;
let env: Record<string, string>;
const children: Child[] = [];
let serverA: { url: string; wsUrl: string };
let serverB: { url: string };
let setup: TransferSetup;

async function startServerProcess() {
  const port = await freePort();
  const child = startChild(TSX, [...TSX_ARGS, "src/main.ts"], { ...env, PORT: String(port), WORKER_IN_PROCESS: "false" });
  children.push(child);
  await child.waitFor(/RealismLab is running/, 90_000);
  return { url: `http://127.0.0.1:${port}/graphql`, wsUrl: `ws://127.0.0.1:${port}/graphql` };
}

async function startWorkerProcess(): Promise<Child> {
  const child = startChild(TSX, [...TSX_ARGS, "src/worker-main.ts"], env);
  children.push(child);
  await child.waitFor(/worker .* ready/, 90_000);
  return child;
}

async function waitForRun(url: string, id: string, predicate: (run: any) => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const run = (await gqlData(url, RUN_STATE, { id })).run;
    if (predicate(run)) return run;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`run ${id} did not reach the expected state in ${timeoutMs} ms: ${JSON.stringify((await gqlData(url, RUN_STATE, { id })).run)}`);
}

beforeAll(async () => {
  database = await createTestDatabase();
  dataRoot = await mkdtemp(path.join(os.tmpdir(), "realismlab-mp-"));
  env = {
    DATABASE_URL: database.url,
    HOST: "127.0.0.1",
    DATA_ROOTS: dataRoot,
    HEARTBEAT_INTERVAL_MS: "300",
    HEARTBEAT_TIMEOUT_MS: String(HEARTBEAT_TIMEOUT_MS),
    AUTH_REQUIRED: "false",
  };
  [serverA, serverB] = await Promise.all([startServerProcess(), startServerProcess()]);
  setup = await setUpTransfer(serverA.url, dataRoot, { identities: 4, imagesPerIdentity: 5 });
}, 180_000);

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await Promise.all(children.map((c) => c.exited()));
  await database?.drop();
  await rm(dataRoot, { recursive: true, force: true });
});

describe("two API processes and a standalone worker", () => {
  it("delivers progress of a run launched on B and run by the worker to a client of A", async () => {
    const worker = await startWorkerProcess();
    const client = wsClient(serverA.wsUrl);
    const run = (await gqlData(serverB.url, LAUNCH, { datasetId: setup.datasetId, methodId: setup.methodId, options: { batchSize: 2, outputName: "mp-out" } })).launchTransfer;
    const progress = subscribe(client, `subscription($id: ID!) { runProgress(runId: $id) { done total fraction } }`, { id: run.id });
    const finished = subscribe(client, `subscription($id: ID!) { runUpdated(filter: { runId: $id }) { status worker } }`, { id: run.id });
    await progress.next((e: any) => e.runProgress.fraction === 1, 60_000);
    const done = await finished.next((e: any) => e.runUpdated.status === "SUCCEEDED", 60_000);
    expect(done.runUpdated.worker).toMatch(new RegExp(`:${worker.process.pid}$`)); // the standalone worker ran it
    expect(progress.events.length).toBeGreaterThanOrEqual(2);
    await client.dispose();
    worker.kill("SIGTERM");
    expect(await worker.exited()).toBe(0);
  }, 120_000);

  it("fails a run whose worker is SIGKILLed within the heartbeat timeout", async () => {
    const datasetId = await registerBigDataset(serverA.url, dataRoot, "digiface-kill", 40, 10);
    const worker = await startWorkerProcess();
    const run = (await gqlData(serverA.url, LAUNCH, { datasetId, methodId: setup.methodId, options: { batchSize: 1, outputName: "killed-out" } })).launchTransfer;
    await waitForRun(serverA.url, run.id, (r) => r.status === "RUNNING" && r.progress.done > 0, 60_000);
    worker.kill("SIGKILL");
    const killedAt = Date.now();
    const failed = await waitForRun(serverB.url, run.id, (r) => r.status !== "RUNNING", HEARTBEAT_TIMEOUT_MS + 10_000);
    expect(failed.status).toBe("FAILED");
    expect(failed.error).toMatch(/sent no heartbeat for 3 s.*the worker was lost/);
    expect(Date.now() - killedAt).toBeLessThan(HEARTBEAT_TIMEOUT_MS + 10_000);
  }, 120_000);

  it("re-queues a killed run when its retry policy allows, and another worker resumes it", async () => {
    const datasetId = await registerBigDataset(serverA.url, dataRoot, "digiface-retry", 40, 10);
    const first = await startWorkerProcess();
    const run = (await gqlData(serverA.url, LAUNCH, { datasetId, methodId: setup.methodId, options: { batchSize: 1, outputName: "retry-out", maxAttempts: 2 } })).launchTransfer;
    await waitForRun(serverA.url, run.id, (r) => r.status === "RUNNING" && r.progress.done > 20, 60_000);
    first.kill("SIGKILL");
    await first.exited();
    const requeued = await waitForRun(serverA.url, run.id, (r) => r.status === "QUEUED", HEARTBEAT_TIMEOUT_MS + 10_000);
    expect(requeued.error).toMatch(/re-queued \(attempt 1 of 2\)/);
    await startWorkerProcess();
    const finished = await waitForRun(serverA.url, run.id, (r) => r.status === "SUCCEEDED" || r.status === "FAILED", 90_000);
    expect(finished.status).toBe("SUCCEEDED");
    // The second attempt skipped what the first had written.
    const details = (await gqlData(serverA.url, `query($id: ID!) { run(id: $id) { details } }`, { id: run.id })).run.details;
    expect(details.skipped).toBeGreaterThan(0);
    expect(details.processed + details.skipped).toBe(400);
    expect(finished.lineage.outputDataset.imageCount).toBe(400);
  }, 180_000);
});
