// Launching a transfer from GraphQL: the run is QUEUED at once, an in-process
// worker takes it, progress reaches 100% over graphql-ws, the output folder
// mirrors the input with the pixels the model computes, and the output is
// registered as a REALISM_TRANSFERRED dataset with lineage and measured speed.
import { readdir } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeFormerLikePixel, type Rgb } from "../../src/fixtures";
import { gql, gqlData, subscribe, wsClient } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { LAUNCH, RUN_STATE, registerBigDataset, setUpTransfer, type TransferSetup } from "../helpers/transfer-setup";

let server: TestServer;
let setup: TransferSetup;
beforeAll(async () => {
  server = await startTestServer({ WORKER_IN_PROCESS: "true", HEARTBEAT_INTERVAL_MS: "300", HEARTBEAT_TIMEOUT_MS: "5000" });
  setup = await setUpTransfer(server.url, server.dataRoot, { identities: 4, imagesPerIdentity: 5 });
});
afterAll(() => server?.close());

async function listTree(dir: string): Promise<string[]> {
  const ids = (await readdir(dir)).sort();
  const files = await Promise.all(ids.map(async (id) => (await readdir(path.join(dir, id))).sort().map((f) => `${id}/${f}`)));
  return files.flat();
}

describe("launchTransfer", () => {
  it("runs to SUCCEEDED with live progress and registers the output dataset", async () => {
    const client = wsClient(server.wsUrl);
    const launched = await gqlData(server.url, LAUNCH, {
      datasetId: setup.datasetId,
      methodId: setup.methodId,
      options: { batchSize: 4, fidelityWeight: 0.7, outputName: "DigiFace-mini-CF" },
    });
    const run = launched.launchTransfer;
    expect(run).toMatchObject({ status: "QUEUED", kind: "TRANSFER" });
    expect(run.params.methodOptions).toEqual({ fidelityWeight: 0.7 });

    const progress = subscribe(client, `subscription($id: ID!) { runProgress(runId: $id) { done total fraction phase rate } }`, { id: run.id });
    const status = subscribe(client, `subscription($id: ID!) { runUpdated(filter: { runId: $id }) { id status } }`, { id: run.id });
    const full = await progress.next((e: any) => e.runProgress.fraction === 1, 60_000);
    expect(full.runProgress).toMatchObject({ done: 20, total: 20 });
    await status.next((e: any) => e.runUpdated.status === "SUCCEEDED", 60_000);
    progress.unsubscribe();
    status.unsubscribe();
    await client.dispose();

    const state = (await gqlData(server.url, RUN_STATE, { id: run.id })).run;
    expect(state.status).toBe("SUCCEEDED");
    expect(state.worker).toMatch(/:\d+$/);
    expect(state.device).toBe("cpu");
    const output = state.lineage.outputDataset;
    expect(output).toMatchObject({
      name: "DigiFace-mini-CF", kind: "REALISM_TRANSFERRED", imageCount: 20, identityCount: 4,
      sourceDataset: { name: "DigiFace-mini" }, transferMethod: { name: "CodeFormer-fixture" },
    });
    const metrics = Object.fromEntries(state.metrics.map((m: any) => [m.name, m.value]));
    expect(metrics.seconds_per_image).toBeGreaterThan(0);
    expect(metrics.images_per_second).toBeCloseTo(1 / metrics.seconds_per_image, 6);

    // Same identity folders and file names; pixels as the model computes them.
    expect(await listTree(output.uri)).toEqual(await listTree(setup.fixtures.dataset.dir));
    const png = (await listTree(output.uri)).find((f) => f.endsWith(".png"))!;
    const source = await sharp(path.join(setup.fixtures.dataset.dir, png)).resize(64, 64, { kernel: "linear" }).removeAlpha().raw().toBuffer();
    const written = await sharp(path.join(output.uri, png)).resize(64, 64, { kernel: "nearest" }).removeAlpha().raw().toBuffer();
    expect(written.length).toBe(source.length);
    // Mean error against the model's formula vs against the untouched source: the
    // resize round trip (112 -> 64 -> 112 -> 64) blurs edges, so compare means.
    let errorVsModel = 0;
    let changeVsSource = 0;
    for (let i = 0; i < source.length; i += 3) {
      const expected = codeFormerLikePixel([source[i]!, source[i + 1]!, source[i + 2]!] as Rgb, 0.7);
      for (let c = 0; c < 3; c++) {
        errorVsModel += Math.abs(written[i + c]! - expected[c]!);
        changeVsSource += Math.abs(written[i + c]! - source[i + c]!);
      }
    }
    errorVsModel /= source.length;
    changeVsSource /= source.length;
    expect(errorVsModel).toBeLessThan(4);
    expect(changeVsSource).toBeGreaterThan(4 * errorVsModel);
  });

  it("cancels a running transfer within seconds", async () => {
    const datasetId = await registerBigDataset(server.url, server.dataRoot, "digiface-cancel", 30, 10);
    const client = wsClient(server.wsUrl);
    const run = (await gqlData(server.url, LAUNCH, { datasetId, methodId: setup.methodId, options: { batchSize: 1, outputName: "cancel-me" } })).launchTransfer;
    const progress = subscribe(client, `subscription($id: ID!) { runProgress(runId: $id) { done total } }`, { id: run.id });
    await progress.next((e: any) => e.runProgress.done > 0, 60_000);
    const cancelledAt = Date.now();
    const cancelled = await gqlData(server.url, `mutation($id: ID!) { cancelRun(id: $id) { status } }`, { id: run.id });
    expect(cancelled.cancelRun.status).toBe("CANCELLED");
    // The runner stops: progress no longer moves.
    await new Promise((r) => setTimeout(r, 2_000));
    const a = (await gqlData(server.url, RUN_STATE, { id: run.id })).run;
    await new Promise((r) => setTimeout(r, 1_500));
    const b = (await gqlData(server.url, RUN_STATE, { id: run.id })).run;
    expect(b.status).toBe("CANCELLED");
    expect(b.progress.done).toBe(a.progress.done);
    expect(b.progress.done).toBeLessThan(300);
    expect(Date.now() - cancelledAt).toBeLessThan(10_000);
    expect(b.lineage.outputDataset).toBeNull();
    progress.unsubscribe();
    await client.dispose();
    const again = await gql(server.url, `mutation($id: ID!) { cancelRun(id: $id) { status } }`, { id: run.id });
    expect(again.errors?.[0]?.extensions?.code).toBe("CONFLICT");
  });

  it("refuses bad launches with errors that name the option, and queues nothing", async () => {
    const before = (await gqlData(server.url, `{ runs(filter: { kind: TRANSFER }) { totalCount } }`)).runs.totalCount;
    const unknownOption = await gql(server.url, LAUNCH, { datasetId: setup.datasetId, methodId: setup.methodId, options: { methodOptions: { temperature: 2 } } });
    expect(unknownOption.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "options.temperature" });
    const outOfRange = await gql(server.url, LAUNCH, { datasetId: setup.datasetId, methodId: setup.methodId, options: { fidelityWeight: 1.5 } });
    expect(outOfRange.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "options.fidelityWeight" });
    const noModel = await gql(server.url, `mutation($d: ID!) { launchTransfer(datasetId: $d, methodId: "00000000-0000-0000-0000-000000000000") { id } }`, { d: setup.datasetId });
    expect(noModel.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "methodId" });
    const seeded = (await gqlData(server.url, `{ transferMethod(name: "VSAIT") { id } dataset(name: "DigiFace1M") { id } }`));
    const catalogueOnly = await gql(server.url, LAUNCH, { datasetId: setup.datasetId, methodId: seeded.transferMethod.id });
    expect(catalogueOnly.errors?.[0]?.message).toMatch(/VSAIT has no ONNX model yet; attach one with attachTransferMethodModel/);
    const noFolder = await gql(server.url, LAUNCH, { datasetId: seeded.dataset.id, methodId: setup.methodId });
    expect(noFolder.errors?.[0]?.message).toMatch(/DigiFace1M has no folder/);
    const badName = await gql(server.url, LAUNCH, { datasetId: setup.datasetId, methodId: setup.methodId, options: { outputName: "../escape" } });
    expect(badName.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "options.outputName" });
    const after = (await gqlData(server.url, `{ runs(filter: { kind: TRANSFER }) { totalCount } }`)).runs.totalCount;
    expect(after).toBe(before);
  });
});
