// The editable catalogue through the public API: a seeded paper method gets a
// model and a seeded dataset a folder, a real transfer with them fills Table 1's
// measured column; descriptions, tags, notes and archiving, with their bounds,
// their scopes (published results: ADMIN only) and nothing lost on a refusal.
import { copyFile, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDemoFixtures, codeFormerLikeSpec, type DemoFixtures } from "../../src/fixtures";
import { waitForRun } from "../evaluation/helpers";
import { gql, gqlData, subscribe, wsClient } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";

let server: TestServer;
let fixtures: DemoFixtures;
let admin: string;
let writer: string;

const ATTACH = `mutation($id: ID!, $input: AttachTransferMethodModelInput!) {
  attachTransferMethodModel(id: $id, input: $input) { id name modelPath inputSpec defaultOptions publishedSecondsPerImage } }`;
const SET_FOLDER = `mutation($id: ID!, $input: SetDatasetFolderInput!) { setDatasetFolder(id: $id, input: $input) { id name uri imageCount } }`;
const LAUNCH = `mutation($datasetId: ID!, $methodId: ID!, $options: LaunchTransferOptions) {
  launchTransfer(datasetId: $datasetId, methodId: $methodId, options: $options) { id } }`;
const TAG = `mutation($id: ID!, $add: [String!], $remove: [String!]) { tagRun(id: $id, add: $add, remove: $remove) { id tags } }`;

const idOf = async (query: string) => Object.values(await gqlData(server.url, query, {}, admin))[0] as { id: string };

beforeAll(async () => {
  server = await startTestServer({ AUTH_REQUIRED: "true", WORKER_IN_PROCESS: "true", HEARTBEAT_INTERVAL_MS: "300" });
  admin = (await server.app.services.auth.createToken({ name: "admin", scopes: ["ADMIN"] })).secret;
  writer = (await server.app.services.auth.createToken({ name: "writer", scopes: ["WRITE"] })).secret;
  fixtures = await buildDemoFixtures(path.join(server.dataRoot, "fixtures"), { modelSize: 64, identities: 3, imagesPerIdentity: 2 });
}, 120_000);
afterAll(() => server?.close());

describe("a seeded paper method gets a model, a seeded dataset a folder", () => {
  it("answers a second registration of a seeded name with CONFLICT that names the mutation to use", async () => {
    const model = fixtures.models.codeformerLike;
    const again = await gql(server.url, `mutation($input: RegisterTransferMethodInput!) { registerTransferMethod(input: $input) { id } }`, {
      input: { name: "CodeFormer", family: "FACE_RESTORATION", modelPath: model.path, inputSpec: model.spec },
    }, admin);
    expect(again.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    expect(again.errors?.[0]?.message).toContain("attachTransferMethodModel");
    const dataset = await gql(server.url, `mutation { createDataset(input: { name: "DigiFace1M", kind: SYNTHETIC }) { id } }`, {}, admin);
    expect(dataset.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    expect(dataset.errors?.[0]?.message).toContain("setDatasetFolder");
  });

  it("checks the model as registration does and keeps the method unchanged on a refusal", async () => {
    const { id } = await idOf(`{ transferMethod(name: "CodeFormer") { id } }`);
    const model = fixtures.models.codeformerLike;
    const outsideDir = await mkdtemp(path.join(os.tmpdir(), "outside-roots-"));
    const outside = path.join(outsideDir, "model.onnx");
    await copyFile(model.path, outside);
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ modelPath: path.join(server.dataRoot, "missing.onnx"), inputSpec: model.spec }, "modelPath", /does not exist/],
      [{ modelPath: outside, inputSpec: model.spec }, "modelPath", /outside the data roots/],
      [{ modelPath: model.path, inputSpec: { input: { size: [64, 64], range: "bogus" } } }, "inputSpec", /range/],
      // A spec that does not match the model (the model takes 64x64): the ONNX check refuses it.
      [{ modelPath: model.path, inputSpec: codeFormerLikeSpec(32) }, "inputSpec", /./],
      [{ modelPath: path.join(fixtures.dataset.dir, fixtures.dataset.images[0]!), inputSpec: model.spec }, "modelPath", /not a loadable ONNX model/],
    ];
    for (const [input, field, message] of cases) {
      const result = await gql(server.url, ATTACH, { id, input }, admin);
      expect(result.errors?.[0]?.extensions, JSON.stringify(input)).toMatchObject({ code: "BAD_USER_INPUT", field });
      expect(result.errors?.[0]?.message).toMatch(message);
    }
    await rm(outsideDir, { recursive: true, force: true });
    const unknown = await gql(server.url, ATTACH, { id: "00000000-0000-0000-0000-000000000000", input: { modelPath: model.path, inputSpec: model.spec } }, admin);
    expect(unknown.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const writerTry = await gql(server.url, ATTACH, { id, input: { modelPath: model.path, inputSpec: model.spec } }, writer);
    expect(writerTry.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const after = await gqlData(server.url, `{ transferMethod(name: "CodeFormer") { modelPath inputSpec defaultOptions } }`);
    expect(after.transferMethod).toEqual({ modelPath: null, inputSpec: null, defaultOptions: { fidelityWeight: 0.5 } });
  });

  it("sets DigiFace1M's folder only to an existing folder inside the data roots", async () => {
    const { id } = await idOf(`{ dataset(name: "DigiFace1M") { id } }`);
    const notThere = await gql(server.url, SET_FOLDER, { id, input: { uri: path.join(server.dataRoot, "nope") } }, admin);
    expect(notThere.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "uri" });
    const outside = await gql(server.url, SET_FOLDER, { id, input: { uri: os.tmpdir() } }, admin);
    expect(outside.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "uri" });
    expect(outside.errors?.[0]?.message).toContain("outside the data roots");
    const aFile = await gql(server.url, SET_FOLDER, { id, input: { uri: path.join(fixtures.dataset.dir, fixtures.dataset.images[0]!) } }, admin);
    expect(aFile.errors?.[0]?.message).toContain("is not a directory");
    expect((await gqlData(server.url, `{ dataset(name: "DigiFace1M") { uri imageCount } }`)).dataset).toEqual({ uri: null, imageCount: 1_220_000 });

    const set = await gqlData(server.url, SET_FOLDER, { id, input: { uri: fixtures.dataset.dir } }, admin);
    expect(set.setDatasetFolder).toMatchObject({ name: "DigiFace1M", uri: fixtures.dataset.dir, imageCount: 1_220_000 });
  });

  it("refuses to launch CodeFormer without a model and names the mutation that attaches one", async () => {
    const method = await idOf(`{ transferMethod(name: "CodeFormer") { id } }`);
    const dataset = await idOf(`{ dataset(name: "DigiFace1M") { id } }`);
    const result = await gql(server.url, LAUNCH, { datasetId: dataset.id, methodId: method.id }, admin);
    expect(result.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(result.errors?.[0]?.message).toContain("attachTransferMethodModel");
  });

  it("attaches the fixture model to CodeFormer; a real transfer fills Table 1's measured column beside the paper's 0.41 s", async () => {
    const method = await idOf(`{ transferMethod(name: "CodeFormer") { id } }`);
    const dataset = await idOf(`{ dataset(name: "DigiFace1M") { id } }`);
    const model = fixtures.models.codeformerLike;
    const attached = (await gqlData(server.url, ATTACH, { id: method.id, input: { modelPath: model.path, inputSpec: model.spec } }, admin)).attachTransferMethodModel;
    expect(attached).toMatchObject({ name: "CodeFormer", modelPath: model.path, publishedSecondsPerImage: 0.41, defaultOptions: { fidelityWeight: 0.5 } });
    expect(attached.inputSpec.input).toMatchObject({ width: 64, height: 64 });

    const launched = await gqlData(server.url, LAUNCH, { datasetId: dataset.id, methodId: method.id, options: { outputName: "DigiFace1M-CodeFormer-mine" } }, admin);
    const run = await waitForRun(server.url, launched.launchTransfer.id);
    expect(run.status, run.error).toBe("SUCCEEDED");

    const produced = await gqlData(server.url, `{ dataset(name: "DigiFace1M-CodeFormer-mine") { uri imageCount kind transferMethod { name } sourceDataset { name } } }`);
    expect(produced.dataset).toMatchObject({ imageCount: 6, kind: "REALISM_TRANSFERRED", transferMethod: { name: "CodeFormer" }, sourceDataset: { name: "DigiFace1M" } });
    // Real images were written: decode one with sharp and compare it with its source.
    const identity = (await readdir(produced.dataset.uri)).sort()[0]!;
    const file = (await readdir(path.join(produced.dataset.uri, identity))).sort()[0]!;
    const output = await sharp(path.join(produced.dataset.uri, identity, file)).raw().toBuffer({ resolveWithObject: true });
    const source = await sharp(path.join(fixtures.dataset.dir, identity, file)).raw().toBuffer({ resolveWithObject: true });
    expect(output.info.width).toBeGreaterThan(0);
    expect(output.data.equals(source.data)).toBe(false);

    const table1 = (await gqlData(server.url, `{ transferMethodTimings(methods: ["CodeFormer"]) { method { name } publishedSecondsPerImage
      measured { device secondsPerImage runs ratioToPublished } } }`)).transferMethodTimings;
    expect(table1).toHaveLength(1);
    expect(table1[0].publishedSecondsPerImage).toBe(0.41);
    expect(table1[0].measured).toHaveLength(1);
    const [measured] = table1[0].measured;
    expect(measured.runs).toBe(1);
    expect(measured.secondsPerImage).toBeGreaterThan(0);
    expect(measured.ratioToPublished).toBeCloseTo(measured.secondsPerImage / 0.41, 12);

    // Replacing the model is the same mutation; the new default options replace the old.
    const replaced = await gqlData(server.url, ATTACH, { id: method.id, input: { modelPath: model.path, inputSpec: model.spec, defaultOptions: { fidelityWeight: 0.7 } } }, admin);
    expect(replaced.attachTransferMethodModel.defaultOptions).toEqual({ fidelityWeight: 0.7 });
  }, 120_000);
});

describe("descriptions", () => {
  it("are replaced, cleared and bounded", async () => {
    const { id } = await idOf(`{ transferMethod(name: "VSAIT") { id } }`);
    const set = `mutation($id: ID!, $d: String) { setTransferMethodDescription(id: $id, description: $d) { description } }`;
    expect((await gqlData(server.url, set, { id, d: "  Our VSAIT export (256x256).  " }, admin)).setTransferMethodDescription.description).toBe("Our VSAIT export (256x256).");
    const tooLong = await gql(server.url, set, { id, d: "x".repeat(10_001) }, admin);
    expect(tooLong.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "description" });
    expect((await gqlData(server.url, `{ transferMethod(name: "VSAIT") { description } }`)).transferMethod.description).toBe("Our VSAIT export (256x256).");
    expect((await gqlData(server.url, set, { id, d: null }, admin)).setTransferMethodDescription.description).toBeNull();

    const dataset = await idOf(`{ dataset(name: "FFHQ") { id } }`);
    const setDataset = `mutation($id: ID!, $d: String) { setDatasetDescription(id: $id, description: $d) { description } }`;
    expect((await gqlData(server.url, setDataset, { id: dataset.id, d: "FFHQ at 1024" }, admin)).setDatasetDescription.description).toBe("FFHQ at 1024");
    expect((await gql(server.url, setDataset, { id: dataset.id, d: "no" }, writer)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});

describe("tags and notes on runs", () => {
  it("work on finished runs with a WRITE token, are bounded, and filter runs", async () => {
    const created = await gqlData(server.url, `mutation { createRun(input: { kind: TRAIN, seed: 1 }) { id } }`, {}, writer);
    const id = created.createRun.id;
    await gqlData(server.url, `mutation($id: ID!) { updateRun(id: $id, input: { status: SUCCEEDED }) { status } }`, { id }, writer);

    expect((await gqlData(server.url, TAG, { id, add: ["ablation", " epochs-30 ", "ablation"] }, writer)).tagRun.tags).toEqual(["ablation", "epochs-30"]);
    expect((await gqlData(server.url, TAG, { id, add: ["keep"], remove: ["ablation"] }, writer)).tagRun.tags).toEqual(["epochs-30", "keep"]);

    const bad: Array<[Record<string, unknown>, string]> = [
      [{ add: ["x".repeat(65)] }, "add[0]"],
      [{ add: ["  "] }, "add[0]"],
      [{ add: ["line\nbreak"] }, "add[0]"],
      [{ add: Array.from({ length: 33 }, (_, i) => `t${i}`) }, "add"],
      [{}, "add"],
    ];
    for (const [change, field] of bad) {
      const result = await gql(server.url, TAG, { id, ...change }, writer);
      expect(result.errors?.[0]?.extensions, JSON.stringify(change)).toMatchObject({ code: "BAD_USER_INPUT", field });
    }
    // Over the per-run bound in two steps: refused as a whole, nothing written.
    await gqlData(server.url, TAG, { id, add: Array.from({ length: 30 }, (_, i) => `t${i}`) }, writer);
    const over = await gql(server.url, TAG, { id, add: ["one-too-many"] }, writer);
    expect(over.errors?.[0]?.message).toContain("at most 32 tags");
    const now = (await gqlData(server.url, `query($id: ID!) { run(id: $id) { tags } }`, { id })).run.tags;
    expect(now).toHaveLength(32);
    expect(now).not.toContain("one-too-many");

    const notes = `mutation($id: ID!, $notes: String) { setRunNotes(id: $id, notes: $notes) { notes status } }`;
    expect((await gqlData(server.url, notes, { id, notes: "lr too high after epoch 20" }, writer)).setRunNotes).toEqual({ notes: "lr too high after epoch 20", status: "SUCCEEDED" });
    const longNotes = await gql(server.url, notes, { id, notes: "n".repeat(20_001) }, writer);
    expect(longNotes.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "notes" });

    const filtered = await gqlData(server.url, `query($tags: [String!]) { runs(filter: { tags: $tags }) { totalCount nodes { id } } }`, { tags: ["epochs-30", "keep"] });
    expect(filtered.runs.nodes.map((r: any) => r.id)).toEqual([id]);
    const none = await gqlData(server.url, `{ runs(filter: { tags: ["epochs-30", "nope"] }) { totalCount } }`);
    expect(none.runs.totalCount).toBe(0);
  });

  it("leaves published results to ADMIN tokens", async () => {
    const published = await gqlData(server.url, `{ runs(filter: { published: true }, first: 1) { nodes { id } } }`);
    const id = published.runs.nodes[0].id;
    const refused = await gql(server.url, TAG, { id, add: ["checked"] }, writer);
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await gql(server.url, `mutation($id: ID!) { archiveRun(id: $id) { id } }`, { id }, writer)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await gqlData(server.url, TAG, { id, add: ["checked"] }, admin)).tagRun.tags).toEqual(["checked"]);
    const anonymous = await gql(server.url, TAG, { id, add: ["x"] });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});

describe("archiving", () => {
  const TABLE2_ROWS = `{ leaderboard(preset: PAPER_TABLE_2) { rows { dataset { name } transferMethod { name } runIds } } }`;

  it("hides a published run from runs and the leaderboard until it is restored", async () => {
    const before = (await gqlData(server.url, TABLE2_ROWS)).leaderboard.rows;
    const row = before.find((r: any) => r.transferMethod?.name === "VSAIT");
    const runId = row.runIds[0];
    const client = wsClient(server.wsUrl);
    const changes = subscribe(client, `subscription { leaderboardChanged { reason runId } }`);
    const updates = subscribe(client, `subscription { runUpdated { id archived tags } }`);
    // Warm up: tag a scratch run until runUpdated is heard, so both subscriptions are live.
    const scratch = (await gqlData(server.url, `mutation { createRun(input: { kind: TRAIN }) { id } }`, {}, writer)).createRun.id;
    for (let i = 0; i < 40 && !updates.events.some((e: any) => e.runUpdated.id === scratch); i++) {
      await gqlData(server.url, TAG, { id: scratch, add: [`warmup-${i}`] }, writer);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(updates.events.some((e: any) => e.runUpdated.id === scratch)).toBe(true);
    const archive = await gqlData(server.url, `mutation($id: ID!) { archiveRun(id: $id) { archived archivedAt } }`, { id: runId }, admin);
    expect(archive.archiveRun.archived).toBe(true);
    // Announced: dashboards refetch the leaderboard and the run.
    expect((await changes.next((e: any) => e.leaderboardChanged.runId === runId)).leaderboardChanged.reason).toBe("RUN_ARCHIVED");
    expect((await updates.next((e: any) => e.runUpdated.id === runId)).runUpdated.archived).toBe(true);
    const after = (await gqlData(server.url, TABLE2_ROWS)).leaderboard.rows;
    expect(after.flatMap((r: any) => r.runIds)).not.toContain(runId);
    const listed = await gqlData(server.url, `{ runs(filter: { published: true }, first: 500) { nodes { id } } }`);
    expect(listed.runs.nodes.map((r: any) => r.id)).not.toContain(runId);
    const archived = await gqlData(server.url, `{ runs(filter: { archived: true }) { nodes { id archived } } }`);
    expect(archived.runs.nodes).toEqual([{ id: runId, archived: true }]);
    const both = await gqlData(server.url, `{ runs(filter: { archived: null, published: true }, first: 500) { nodes { id } } }`);
    expect(both.runs.nodes.map((r: any) => r.id)).toContain(runId);

    await gqlData(server.url, `mutation($id: ID!) { restoreRun(id: $id) { archived } }`, { id: runId }, admin);
    expect((await changes.next((e: any) => e.leaderboardChanged.reason === "RUN_RESTORED")).leaderboardChanged.runId).toBe(runId);
    changes.unsubscribe();
    updates.unsubscribe();
    await client.dispose();
    expect((await gqlData(server.url, TABLE2_ROWS)).leaderboard.rows).toEqual(before);
  });

  it("hides datasets and methods from lists, Table 1 and the leaderboard, and restores them", async () => {
    const dataset = await idOf(`{ dataset(name: "DCFace") { id } }`);
    await gqlData(server.url, `mutation($id: ID!) { archiveDataset(id: $id) { archived } }`, { id: dataset.id }, admin);
    expect((await gqlData(server.url, `{ datasets { name } }`)).datasets.map((d: any) => d.name)).not.toContain("DCFace");
    const all = (await gqlData(server.url, `{ datasets(includeArchived: true) { name archived } }`)).datasets;
    expect(all.find((d: any) => d.name === "DCFace")).toEqual({ name: "DCFace", archived: true });
    expect((await gqlData(server.url, TABLE2_ROWS)).leaderboard.rows.map((r: any) => r.dataset?.name)).not.toContain("DCFace");
    // Still reachable by name, so it can be restored.
    expect((await gqlData(server.url, `{ dataset(name: "DCFace") { archived } }`)).dataset.archived).toBe(true);
    await gqlData(server.url, `mutation($id: ID!) { restoreDataset(id: $id) { archived } }`, { id: dataset.id }, admin);
    expect((await gqlData(server.url, TABLE2_ROWS)).leaderboard.rows.map((r: any) => r.dataset?.name)).toContain("DCFace");

    const method = await idOf(`{ transferMethod(name: "DECENT") { id } }`);
    expect((await gql(server.url, `mutation($id: ID!) { archiveTransferMethod(id: $id) { id } }`, { id: method.id }, writer)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    await gqlData(server.url, `mutation($id: ID!) { archiveTransferMethod(id: $id) { archived } }`, { id: method.id }, admin);
    expect((await gqlData(server.url, `{ transferMethods { name } }`)).transferMethods.map((m: any) => m.name)).not.toContain("DECENT");
    expect((await gqlData(server.url, `{ transferMethodTimings { method { name } } }`)).transferMethodTimings.map((r: any) => r.method.name)).not.toContain("DECENT");
    expect((await gqlData(server.url, TABLE2_ROWS)).leaderboard.rows.map((r: any) => r.transferMethod?.name)).not.toContain("DECENT");
    await gqlData(server.url, `mutation($id: ID!) { restoreTransferMethod(id: $id) { archived } }`, { id: method.id }, admin);
    expect((await gqlData(server.url, `{ transferMethods { name } }`)).transferMethods.map((m: any) => m.name)).toContain("DECENT");
  });

  it("refuses new work on an archived dataset or method, naming how to restore it, until it is restored", async () => {
    const dataset = await idOf(`{ dataset(name: "DigiFace1M") { id } }`);
    const method = await idOf(`{ transferMethod(name: "VSAIT") { id } }`);
    const launch = () =>
      gql(server.url, `mutation($d: ID!, $m: ID!) { launchTransfer(datasetId: $d, methodId: $m) { id } }`, { d: dataset.id, m: method.id }, admin);
    await gqlData(server.url, `mutation($id: ID!) { archiveTransferMethod(id: $id) { archived } }`, { id: method.id }, admin);
    let refused = await launch();
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "methodId" });
    expect(refused.errors?.[0]?.message).toMatch(/VSAIT is archived; restore it first \(restoreTransferMethod/);
    await gqlData(server.url, `mutation($id: ID!) { archiveDataset(id: $id) { archived } }`, { id: dataset.id }, admin);
    refused = await launch();
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "datasetId" });
    expect(refused.errors?.[0]?.message).toMatch(/DigiFace1M is archived; restore it first \(restoreDataset/);
    const runs = (await gqlData(server.url, `{ runs(filter: { kind: TRANSFER, archived: null }) { totalCount } }`)).runs.totalCount;
    // Restored, the refusal moves on to what is really missing (here: VSAIT has no model).
    await gqlData(server.url, `mutation($id: ID!) { restoreDataset(id: $id) { archived } }`, { id: dataset.id }, admin);
    await gqlData(server.url, `mutation($id: ID!) { restoreTransferMethod(id: $id) { archived } }`, { id: method.id }, admin);
    refused = await launch();
    expect(refused.errors?.[0]?.message).not.toMatch(/archived/);
    expect((await gqlData(server.url, `{ runs(filter: { kind: TRANSFER, archived: null }) { totalCount } }`)).runs.totalCount).toBe(runs);
  });
});
