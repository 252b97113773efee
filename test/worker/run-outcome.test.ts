// One outcome path: a TRANSFER job returns its speed metrics and output dataset, and
// the worker records them with SUCCEEDED and their events in one transaction. A write
// that fails inside that transaction (the output name taken meanwhile) leaves no
// metrics, no dataset, no audit and no metricLogged event, and the run FAILS with the
// reason. An invalid outcome through finishRun is refused naming its field.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type RunningWorker } from "../../src/worker/worker";
import { gql, gqlData, subscribe, wsClient } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { LAUNCH, RUN_STATE, registerDataset, setUpTransfer, type TransferSetup } from "../helpers/transfer-setup";

let server: TestServer;
let setup: TransferSetup;
let worker: RunningWorker | null = null;

beforeAll(async () => {
  server = await startTestServer({ HEARTBEAT_INTERVAL_MS: "300" });
  setup = await setUpTransfer(server.url, server.dataRoot, { identities: 2, imagesPerIdentity: 2 });
});
afterAll(async () => {
  await worker?.stop();
  await server?.close();
});

/** A worker over the same database as the server, taking TRANSFER runs (the local, database-port path). */
async function startTransferWorker() {
  worker ??= await startWorker({
    databaseUrl: server.database.url,
    services: server.app.services,
    events: server.app.events,
    kinds: ["TRANSFER"],
    registry: server.app.services.kinds,
    concurrency: 1,
    heartbeatIntervalMs: 300,
    settings: { apiUrl: server.url, trainerKillGraceMs: 500, trainerEnvAllow: [] },
    log: () => undefined,
  });
}

async function waitEnded(id: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = (await gqlData(server.url, RUN_STATE, { id })).run;
    if (["SUCCEEDED", "FAILED", "CANCELLED"].includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${run.status}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const AUDIT = `query($id: ID!) { run(id: $id) { auditEvents { action actor changes } curves { kind } } }`;

describe("one outcome path", () => {
  it("a write failing inside the outcome's transaction leaves no metrics, dataset, audit or event, and FAILS the run", async () => {
    const run = (await gqlData(server.url, LAUNCH, { datasetId: setup.datasetId, methodId: setup.methodId, options: { outputName: "taken-meanwhile" } })).launchTransfer;
    // While the run waits in the queue, someone registers a dataset under its output name.
    const squatter = await registerDataset(server.url, "taken-meanwhile", setup.fixtures.dataset.dir);
    const client = wsClient(server.wsUrl);
    const metricEvents = subscribe(client, `subscription($id: ID!) { metricLogged(runId: $id) { names count } }`, { id: run.id });
    const statusEvents = subscribe(client, `subscription($id: ID!) { runUpdated(filter: { runId: $id }) { status } }`, { id: run.id });
    await new Promise((r) => setTimeout(r, 300)); // subscriptions registered
    await startTransferWorker();

    const failed = await waitEnded(run.id);
    expect(failed.status).toBe("FAILED");
    expect(failed.error).toMatch(/the run's output cannot be registered: a dataset named "taken-meanwhile" already exists/);
    // The speed metrics were written in the same transaction as the dataset: none is left.
    expect(failed.metrics).toEqual([]);
    expect(failed.lineage.outputDataset).toBeNull();
    const squatted = (await gqlData(server.url, `query($id: ID) { dataset(id: $id) { uri } }`, { id: squatter })).dataset;
    expect(squatted.uri).toBe(setup.fixtures.dataset.dir); // untouched
    const audit = (await gqlData(server.url, AUDIT, { id: run.id })).run;
    expect(audit.auditEvents.map((e: any) => e.action)).not.toContain("logMetrics");
    expect(audit.auditEvents).toContainEqual(expect.objectContaining({ action: "finish", changes: expect.objectContaining({ status: { from: "RUNNING", to: "FAILED" } }) }));
    await statusEvents.next((e: any) => e.runUpdated.status === "FAILED", 10_000);
    // pg_notify of the rolled-back transaction was never delivered.
    expect(metricEvents.events).toEqual([]);
    await client.dispose();
  }, 90_000);

  it("a transfer's speed metrics and dataset arrive with SUCCEEDED, announced by metricLogged", async () => {
    await startTransferWorker();
    const client = wsClient(server.wsUrl);
    const run = (await gqlData(server.url, LAUNCH, { datasetId: setup.datasetId, methodId: setup.methodId, options: { outputName: "outcome-ok" } })).launchTransfer;
    const metricEvents = subscribe(client, `subscription($id: ID!) { metricLogged(runId: $id) { names count } }`, { id: run.id });
    const logged = await metricEvents.next(() => true, 60_000);
    expect(logged.metricLogged).toEqual({ names: ["seconds_per_image", "images_per_second"], count: 2 });
    const done = await waitEnded(run.id);
    expect(done.status).toBe("SUCCEEDED");
    expect(done.lineage.outputDataset).toMatchObject({ name: "outcome-ok", kind: "REALISM_TRANSFERRED", imageCount: 4, identityCount: 2, sourceDataset: { name: "DigiFace-mini" } });
    const values = Object.fromEntries(done.metrics.map((m: any) => [m.name, m.value]));
    expect(values.seconds_per_image).toBeGreaterThan(0);
    expect(values.images_per_second).toBeCloseTo(1 / values.seconds_per_image, 6);
    const audit = (await gqlData(server.url, AUDIT, { id: run.id })).run.auditEvents;
    // Metrics and the finish are audited under the worker, in the one transaction.
    expect(audit.filter((e: any) => e.action === "logMetrics")).toHaveLength(1);
    expect(audit.find((e: any) => e.action === "finish").changes.detailKeys).toContain("datasetId");
    await client.dispose();
  }, 90_000);

  it("finishRun refuses an invalid outcome naming the field and writes nothing", async () => {
    const run = (await gqlData(server.url, `mutation { createRun(input: { kind: EVALUATE, name: "external" }) { id status } }`)).createRun;
    expect(run.status).toBe("RUNNING");
    const FINISH = `mutation($id: ID!, $outcome: RunOutcomeInput!) { finishRun(runId: $id, outcome: $outcome) { status metrics { name value } curves { kind } } }`;
    const bad = await gql(server.url, FINISH, {
      id: run.id,
      outcome: { metrics: [{ name: "accuracy", value: 0.9 }, { name: "accuracy", value: 0.5, step: -1 }], curves: [{ kind: "ROC", points: { x: [0, 1], y: [0, 1] } }] },
    });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "outcome.metrics[1].step" });
    const unknownBenchmark = await gql(server.url, FINISH, { id: run.id, outcome: { metrics: [{ name: "accuracy", value: 0.9, benchmarkId: "00000000-0000-0000-0000-000000000000" }] } });
    expect(unknownBenchmark.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "outcome.metrics.benchmarkId" });
    const state = (await gqlData(server.url, `query($id: ID!) { run(id: $id) { status metrics { name } curves { kind } } }`, { id: run.id })).run;
    expect(state).toEqual({ status: "RUNNING", metrics: [], curves: [] });

    const ok = await gqlData(server.url, FINISH, {
      id: run.id,
      outcome: { metrics: [{ name: "accuracy", value: 0.9, std: 0.01 }], curves: [{ kind: "ROC", points: { x: [0, 1], y: [0, 1] } }], details: { note: "external" }, device: "cuda" },
    });
    expect(ok.finishRun).toEqual({ status: "SUCCEEDED", metrics: [{ name: "accuracy", value: 0.9 }], curves: [{ kind: "ROC" }] });
    const again = await gql(server.url, FINISH, { id: run.id, outcome: { metrics: [{ name: "accuracy", value: 0.1 }] } });
    expect(again.errors?.[0]?.extensions?.code).toBe("CONFLICT");
  });
});
