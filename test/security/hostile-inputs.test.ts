// Hostile and careless input, with auth on: each gets the right error code and
// nothing stored changes.
import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTanhGeneratorModel, tanhGeneratorSpec } from "../../src/fixtures";
import { gql, gqlData, subscribe, wsClient } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";

let server: TestServer;
let admin: string;
let db: pg.Client;

async function token(scopes: string[], name = scopes.join("+")): Promise<string> {
  const { secret } = await server.app.services.auth.createToken({ name, scopes: scopes as any });
  return secret;
}

/** Row counts of every table a hostile call could touch. */
async function snapshot() {
  const { rows } = await db.query(`SELECT
    (SELECT count(*) FROM dataset)::int AS datasets, (SELECT count(*) FROM transfer_method)::int AS methods,
    (SELECT count(*) FROM face_model)::int AS models, (SELECT count(*) FROM run)::int AS runs,
    (SELECT count(*) FROM metric)::int AS metrics, (SELECT count(*) FROM trainer)::int AS trainers,
    (SELECT count(*) FROM api_token)::int AS tokens`);
  return rows[0];
}

beforeAll(async () => {
  server = await startTestServer({ AUTH_REQUIRED: "true", WORKER_IN_PROCESS: "true", HEARTBEAT_INTERVAL_MS: "300", MAX_QUERY_DEPTH: "8", MAX_QUERY_ALIASES: "10" });
  admin = await token(["ADMIN"], "admin");
  db = new pg.Client({ connectionString: server.database.url });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await server?.close();
});

describe("tokens and scopes", () => {
  it("refuses mutations without a token, with a bad token, and with the wrong scope", async () => {
    const reader = await token(["READ"]);
    const writer = await token(["WRITE"]);
    const before = await snapshot();
    const anonymous = await gql(server.url, `mutation { createRun(input: { kind: TRAIN }) { id } }`);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(anonymous.errors?.[0]?.message).toMatch(/needs an API token with the WRITE scope/);

    const forged = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer rl_forged" },
      body: JSON.stringify({ query: "{ benchmarks { name } }" }),
    });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as any).errors[0].extensions.code).toBe("UNAUTHENTICATED");

    const launch = await gql(server.url, `mutation { cancelRun(id: "00000000-0000-0000-0000-000000000000") { id } }`, {}, reader);
    expect(launch.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const catalogue = await gql(server.url, `mutation { createDataset(input: { name: "sneaky", kind: REAL }) { id } }`, {}, writer);
    expect(catalogue.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(catalogue.errors?.[0]?.message).toMatch(/needs the ADMIN scope; token "WRITE" has WRITE/);
    expect(await snapshot()).toEqual(before);

    // Reads are public by default; the right scope works.
    expect((await gqlData(server.url, `{ benchmarks { name } }`)).benchmarks).toHaveLength(7);
    expect((await gqlData(server.url, `mutation { createRun(input: { kind: TRAIN }) { status } }`, {}, writer)).createRun.status).toBe("RUNNING");
  });

  it("limits a run token to its own run, and revoked tokens stop working", async () => {
    const writer = await token(["WRITE"]);
    const mine = (await gqlData(server.url, `mutation { createRun(input: { kind: TRAIN }) { id } }`, {}, writer)).createRun.id;
    const other = (await gqlData(server.url, `mutation { createRun(input: { kind: TRAIN }) { id } }`, {}, writer)).createRun.id;
    const { secret } = await server.app.services.auth.createToken({ name: "trainer", scopes: ["WRITE"], runId: mine });
    const log = `mutation($id: ID!) { logMetrics(runId: $id, points: [{ name: "loss", value: 1 }]) { inserted } }`;
    expect((await gqlData(server.url, log, { id: mine }, secret)).logMetrics.inserted).toBe(1);
    const elsewhere = await gql(server.url, log, { id: other }, secret);
    expect(elsewhere.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const create = await gql(server.url, `mutation { createRun(input: { kind: TRAIN }) { id } }`, {}, secret);
    expect(create.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    const created = await gqlData(server.url, `mutation { createApiToken(input: { name: "ci", scopes: [LAUNCH] }) { token apiToken { id scopes } } }`, {}, admin);
    expect(created.createApiToken.token).toMatch(/^rl_/);
    const { rows } = await db.query(`SELECT token_hash FROM api_token WHERE id = $1`, [created.createApiToken.apiToken.id]);
    expect(rows[0].token_hash).not.toContain(created.createApiToken.token); // only the hash is stored
    await gqlData(server.url, `mutation($id: ID!) { revokeApiToken(id: $id) }`, { id: created.createApiToken.apiToken.id }, admin);
    const revoked = await gql(server.url, `{ viewer { name } }`, {}, created.createApiToken.token);
    expect(revoked.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("authenticates subscriptions in connectionParams", async () => {
    const refused = wsClient(server.wsUrl, { token: "rl_forged" });
    const sub = subscribe(refused, `subscription { runUpdated { id } }`);
    await new Promise((r) => setTimeout(r, 500));
    expect(String((sub.failure as any)?.code ?? sub.failure)).toMatch(/4403|Forbidden/);
    await refused.dispose();
    const reader = await token(["READ"]);
    const accepted = wsClient(server.wsUrl, { token: reader });
    const viewer = subscribe(accepted, `subscription { runUpdated { id status } }`);
    const writer = await token(["WRITE"]);
    await new Promise((r) => setTimeout(r, 300));
    await gqlData(server.url, `mutation { createRun(input: { kind: TRAIN }) { id } }`, {}, writer);
    expect((await viewer.next()).runUpdated.status).toBe("RUNNING");
    await accepted.dispose();
  });
});

describe("paths, models and values", () => {
  it("refuses traversal and symlink escapes from the data roots", async () => {
    const before = await snapshot();
    const link = path.join(server.dataRoot, "escape-link");
    await symlink("/etc", link);
    for (const uri of [`${server.dataRoot}/../../etc`, link, "/etc", "relative/path"]) {
      const result = await gql(server.url, `mutation($uri: String) { createDataset(input: { name: "evil", kind: REAL, uri: $uri }) { id } }`, { uri }, admin);
      expect(result.errors?.[0]?.extensions, uri).toMatchObject({ code: "BAD_USER_INPUT", field: "uri" });
    }
    expect(await snapshot()).toEqual(before);
  });

  it("refuses malformed ONNX files and specs that do not fit the model", async () => {
    const before = await snapshot();
    const register = `mutation($input: RegisterTransferMethodInput!) { registerTransferMethod(input: $input) { id } }`;
    const garbage = path.join(server.dataRoot, "garbage.onnx");
    await writeFile(garbage, "this is not a protobuf");
    const notOnnx = await gql(server.url, register, { input: { name: "G", family: "UNPAIRED_I2I", modelPath: garbage, inputSpec: tanhGeneratorSpec(64) } }, admin);
    expect(notOnnx.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "modelPath" });
    expect(notOnnx.errors?.[0]?.message).toMatch(/not a loadable ONNX model/);

    const model = path.join(server.dataRoot, "gen-32.onnx");
    await writeFile(model, buildTanhGeneratorModel({ size: 32 }));
    const wrongSize = await gql(server.url, register, { input: { name: "S", family: "UNPAIRED_I2I", modelPath: model, inputSpec: tanhGeneratorSpec(64) } }, admin);
    expect(wrongSize.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "inputSpec" });
    expect(wrongSize.errors?.[0]?.message).toMatch(/has shape \[.*32, 32\], but the spec says 3x64x64/);
    const wrongName = { ...tanhGeneratorSpec(32), input: { ...(tanhGeneratorSpec(32) as any).input, name: "pixels" } };
    const badName = await gql(server.url, register, { input: { name: "N", family: "UNPAIRED_I2I", modelPath: model, inputSpec: wrongName } }, admin);
    expect(badName.errors?.[0]?.message).toMatch(/has no input "pixels"/);
    expect(await snapshot()).toEqual(before);
  });

  it("refuses non-finite values, huge batches, huge bodies and unknown ids", async () => {
    const writer = await token(["WRITE"]);
    const runId = (await gqlData(server.url, `mutation { createRun(input: { kind: TRAIN }) { id } }`, {}, writer)).createRun.id;
    const before = await snapshot();
    const log = `mutation($id: ID!, $p: [MetricPointInput!]!) { logMetrics(runId: $id, points: $p) { inserted } }`;
    // JSON.parse turns 1e999 into Infinity: GraphQL's Float refuses it.
    const infinite = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${writer}` },
      body: `{"query": ${JSON.stringify(log)}, "variables": {"id": "${runId}", "p": [{"name": "loss", "value": 1e999}]}}`,
    });
    expect(((await infinite.json()) as any).errors[0].extensions.code).toBe("BAD_USER_INPUT");
    const tooMany = await gql(server.url, log, { id: runId, p: Array.from({ length: 10_001 }, (_, step) => ({ name: "l", value: 1, step })) }, writer);
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "points" });
    const huge = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${writer}` },
      body: JSON.stringify({ query: log, variables: { id: runId, p: [{ name: "x".repeat(6 * 1024 * 1024), value: 1 }] } }),
    });
    expect(huge.status).toBe(413);
    const unknown = await gql(server.url, log, { id: "5f7c7a52-0000-4000-8000-000000000000", p: [{ name: "l", value: 1 }] }, writer);
    expect(unknown.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const notUuid = await gql(server.url, log, { id: "'; DROP TABLE run; --", p: [{ name: "l", value: 1 }] }, writer);
    expect(notUuid.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    expect(await snapshot()).toEqual(before);
  });

  it("bounds query depth, aliases and cost", async () => {
    const deep = await gql(server.url, `{ datasets { sourceDataset { sourceDataset { sourceDataset { sourceDataset { sourceDataset { sourceDataset { sourceDataset { sourceDataset { name } } } } } } } } } }`);
    expect(deep.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(deep.errors?.[0]?.message).toMatch(/query depth 10 exceeds the limit of 8/);
    const aliases = await gql(server.url, `{ ${Array.from({ length: 11 }, (_, i) => `a${i}: benchmarks { name }`).join(" ")} }`);
    expect(aliases.errors?.[0]?.message).toMatch(/11 aliases exceed the limit of 10/);
    const batch = await fetch(server.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify([{ query: "{ benchmarks { name } }" }, { query: "{ benchmarks { name } }" }]) });
    expect(batch.status).toBe(400);
  });

  it("fails a transfer over images that are not images, keeping what was stored", async () => {
    const folder = path.join(server.dataRoot, "not-images", "id_0000");
    await mkdir(folder, { recursive: true });
    for (let i = 0; i < 3; i++) await writeFile(path.join(folder, `${i}.png`), `definitely not a png ${i}`);
    const datasetId = (await gqlData(server.url, `mutation($uri: String) { createDataset(input: { name: "broken-images", kind: SYNTHETIC, uri: $uri }) { id } }`, { uri: path.dirname(folder) }, admin)).createDataset.id;
    const model = path.join(server.dataRoot, "gen-64.onnx");
    await writeFile(model, buildTanhGeneratorModel({ size: 64 }));
    const methodId = (await gqlData(server.url, `mutation($input: RegisterTransferMethodInput!) { registerTransferMethod(input: $input) { id } }`, { input: { name: "T", family: "UNPAIRED_I2I", modelPath: model, inputSpec: tanhGeneratorSpec(64) } }, admin)).registerTransferMethod.id;
    const launcher = await token(["LAUNCH"]);
    const run = (await gqlData(server.url, `mutation($d: ID!, $m: ID!) { launchTransfer(datasetId: $d, methodId: $m) { id } }`, { d: datasetId, m: methodId }, launcher)).launchTransfer;
    let state: any;
    for (let i = 0; i < 100; i++) {
      state = (await gqlData(server.url, `query($id: ID!) { run(id: $id) { status error } }`, { id: run.id })).run;
      if (state.status !== "QUEUED" && state.status !== "RUNNING") break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(state.status).toBe("FAILED");
    expect(state.error).toMatch(/of 3 images .* could not be read, more than the allowed share .*maxFailureShare = 0.01/);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM dataset WHERE produced_by_run_id = $1`, [run.id]);
    expect(rows[0].n).toBe(0);
  });
});

describe("trainer tokens", () => {
  it("lets a trainer log to its own run with the token it is given; both metric paths dedupe", async () => {
    const repo = path.resolve(".");
    const dir = path.join(server.dataRoot, "train-data", "id_0000");
    await mkdir(dir, { recursive: true });
    const datasetId = (await gqlData(server.url, `mutation($uri: String) { createDataset(input: { name: "train-data", kind: SYNTHETIC, uri: $uri }) { id } }`, { uri: path.dirname(dir) }, admin)).createDataset.id;
    const { embeddingModelSpec } = await import("../../src/fixtures");
    const trainerId = (await gqlData(server.url, `mutation($input: RegisterTrainerInput!) { registerTrainer(input: $input) { id } }`, {
      input: {
        name: "api-trainer", workingDirectory: repo, modelOutput: "{outputDir}/model.onnx", inputSpec: embeddingModelSpec(), backbone: "b", head: "h",
        command: ["node", "--import", "tsx", path.join(repo, "examples/trainer/train.ts"), "--data", "{datasetPath}", "--out", "{outputDir}", "--seed", "{seed}", "--epochs", "3", "--sleep-ms", "10", "--api-metrics"],
      },
    }, admin)).registerTrainer.id;
    const run = (await gqlData(server.url, `mutation($d: ID!, $t: ID!) { launchTraining(datasetId: $d, trainerId: $t, seed: 1) { id } }`, { d: datasetId, t: trainerId }, admin)).launchTraining;
    let state: any;
    for (let i = 0; i < 150; i++) {
      state = (await gqlData(server.url, `query($id: ID!) { run(id: $id) { status error metricHistory(name: "train_loss") { step } logTail(lines: 50) { line } } }`, { id: run.id })).run;
      if (!["QUEUED", "RUNNING"].includes(state.status)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(state.status).toBe("SUCCEEDED");
    const apiLine = state.logTail.map((l: any) => l.line).find((l: string) => l.startsWith("api logMetrics:"));
    expect(apiLine).toMatch(/"logMetrics":\{"inserted":[01]\}/);
    expect(state.metricHistory.map((p: any) => p.step)).toEqual([1, 2, 3]);
  });
});
