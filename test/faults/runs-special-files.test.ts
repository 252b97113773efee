// Special files and escapes inside a dataset: a FIFO and a symlink out of the data
// roots are refused (never opened for reading) and named in the run; a cancel
// frees the worker whatever its job is blocked on, so the next job runs.
import { execFileSync } from "node:child_process";
import { constants } from "node:fs";
import { copyFile, mkdtemp, open, readFile, readdir, rm, symlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEventBus, type EventBus } from "../../src/events/event-bus";
import { executeRun } from "../../src/worker/execute-run";
import { workerIdentity } from "../../src/worker/worker-identity";
import { createDatabaseRunPort } from "../../src/worker/ports/database-run-port";
import { gqlData } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { LAUNCH, registerBigDataset, setUpTransfer, type TransferSetup } from "../helpers/transfer-setup";

let server: TestServer;
let setup: TransferSetup;
let outside: string;
beforeAll(async () => {
  server = await startTestServer({ WORKER_IN_PROCESS: "true", WORKER_CONCURRENCY: "1", HEARTBEAT_INTERVAL_MS: "300", TRAINER_KILL_GRACE_MS: "500" });
  setup = await setUpTransfer(server.url, server.dataRoot, { identities: 2, imagesPerIdentity: 3 });
  outside = await mkdtemp(path.join(os.tmpdir(), "realismlab-outside-"));
});
afterAll(async () => {
  await server?.close();
  await rm(outside, { recursive: true, force: true });
});

const STATE = `query($id: ID!) { run(id: $id) { status error details progress { done } } }`;

async function waitForStatus(id: string, done: (status: string) => boolean, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { run } = await gqlData(server.url, STATE, { id });
    if (done(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${run.status}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const finished = (status: string) => ["SUCCEEDED", "FAILED", "CANCELLED"].includes(status);

describe("a transfer over a dataset with special files", () => {
  it("refuses a FIFO and a symlink out of the data roots, and finishes", async () => {
    const identity = path.join(setup.fixtures.dataset.dir, (await readdir(setup.fixtures.dataset.dir)).sort()[0]!);
    execFileSync("mkfifo", [path.join(identity, "000_fifo.png")]);
    const secret = path.join(outside, "outside.png");
    await copyFile(path.join(setup.fixtures.dataset.dir, setup.fixtures.dataset.images[0]!), secret);
    await symlink(secret, path.join(identity, "001_escape.png"));

    const run = (await gqlData(server.url, LAUNCH, { datasetId: setup.datasetId, methodId: setup.methodId, options: { outputName: "special-out", maxFailureShare: 0.5 } })).launchTransfer;
    const state = await waitForStatus(run.id, finished, 60_000);
    expect(state.status).toBe("SUCCEEDED");
    expect(state.details.processed).toBe(6);
    expect(state.details.failed).toBe(2);
    const errors = Object.fromEntries(state.details.failedImages.map((f: any) => [path.basename(f.path), f.error]));
    expect(errors["000_fifo.png"]).toMatch(/is a FIFO, not a regular file; runners read regular files only/);
    expect(errors["001_escape.png"]).toMatch(/outside the data roots/);
    await expect(readdir(path.join(server.dataRoot, "transfers", "special-out", path.basename(identity)))).resolves.not.toContain("001_escape.png");
  });

  it("cancels a run over a dataset with a FIFO, and the worker takes the next job", async () => {
    const datasetId = await registerBigDataset(server.url, server.dataRoot, "big-with-fifo", 30, 10);
    execFileSync("mkfifo", [path.join(server.dataRoot, "big-with-fifo", (await readdir(path.join(server.dataRoot, "big-with-fifo"))).sort()[0]!, "0.fifo.png")]); // sorts first
    const slow = (await gqlData(server.url, LAUNCH, { datasetId, methodId: setup.methodId, options: { outputName: "big-out", batchSize: 1 } })).launchTransfer;
    await waitForStatus(slow.id, (s) => s === "RUNNING");
    await gqlData(server.url, `mutation($id: ID!) { cancelRun(id: $id) { status } }`, { id: slow.id });
    expect((await waitForStatus(slow.id, finished)).status).toBe("CANCELLED");
    const audit = (await gqlData(server.url, `query($id: ID!) { run(id: $id) { auditEvents { actor action changes } } }`, { id: slow.id })).run.auditEvents;
    expect(audit).toContainEqual({ actor: "local", action: "cancelRun", changes: { status: { from: "RUNNING", to: "CANCELLED" } } });
    // One worker slot: the next job runs only if the cancelled one let go of it.
    const next = (await gqlData(server.url, LAUNCH, { datasetId: setup.datasetId, methodId: setup.methodId, options: { outputName: "after-cancel", maxFailureShare: 0.5 } })).launchTransfer;
    expect((await waitForStatus(next.id, finished, 60_000)).status).toBe("SUCCEEDED");
  });
});

describe("a job blocked where nothing can interrupt it", () => {
  let events: EventBus;
  beforeAll(async () => {
    events = await startEventBus(server.database.url);
  });
  afterAll(() => events?.close());

  it("is abandoned after a cancel through the API, freeing the worker", async () => {
    const fifo = path.join(outside, "blocking-fifo");
    execFileSync("mkfifo", [fifo]);
    const run = (await gqlData(server.url, `mutation { createRun(input: { kind: TRAIN, status: QUEUED, name: "blocked" }) { id } }`)).createRun;
    let entered = false;
    const identity = workerIdentity();
    const execution = executeRun(
      {
        port: createDatabaseRunPort({ services: server.app.services, events, identity }),
        paths: server.app.services.dataPaths,
        identity,
        // A job stuck in a plain blocking open() of a FIFO with no writer: no signal reaches it.
        jobs: { TRAIN: async () => { entered = true; await readFile(fifo); return {}; } },
        settings: { apiUrl: server.url, trainerKillGraceMs: 500, trainerEnvAllow: [] },
        heartbeatIntervalMs: 300,
        log: () => undefined,
      },
      run.id,
      new AbortController().signal,
    );
    await waitForStatus(run.id, (s) => s === "RUNNING");
    expect(entered).toBe(true);
    const cancelledAt = Date.now();
    await gqlData(server.url, `mutation($id: ID!) { cancelRun(id: $id) { status } }`, { id: run.id });
    await execution; // returns: the worker slot is free
    expect(Date.now() - cancelledAt).toBeLessThan(10_000);
    expect((await gqlData(server.url, STATE, { id: run.id })).run.status).toBe("CANCELLED");
    // Release the thread still parked in open(): a writer that opens and closes at once.
    const writer = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    await writer.close();
  });
});
