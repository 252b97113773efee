// A pipeline is checked in full at launch (datasets and their folders, the method's model,
// the trainer, every benchmark file and its size, the output name) and a refused launch
// writes nothing: no pipeline, run, dataset or queue job. Each case is a real launch
// through the public GraphQL API; the rows are counted in the server's own database.
import { cp, rm } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddingModelSpec } from "../../src/fixtures";
import { writePairBenchmark } from "../evaluation/helpers";
import { gql, gqlData } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { LAUNCH as LAUNCH_TRANSFER, registerDataset, setUpTransfer, type TransferSetup } from "../helpers/transfer-setup";

const REPO = path.resolve(".");
let server: TestServer;
let setup: TransferSetup;
let db: pg.Client;
let benchmarkPath: string;
let trainerId: string;

// No worker: launched runs stay QUEUED, so every row a launch writes stays countable.
beforeAll(async () => {
  server = await startTestServer({ WORKER_IN_PROCESS: "false" });
  setup = await setUpTransfer(server.url, server.dataRoot, { identities: 2, imagesPerIdentity: 2 });
  benchmarkPath = (await writePairBenchmark(server.dataRoot, "lfw-mini", 40, 5)).path;
  db = new pg.Client({ connectionString: server.database.url });
  await db.connect();
  const command = ["node", "--import", "tsx", path.join(REPO, "examples/trainer/train.ts"), "--data", "{datasetPath}", "--out", "{outputDir}", "--seed", "{seed}"];
  trainerId = (
    await gqlData(server.url, `mutation($input: RegisterTrainerInput!) { registerTrainer(input: $input) { id } }`, {
      input: { name: "checks-trainer", command, workingDirectory: REPO, modelOutput: "{outputDir}/model.onnx", inputSpec: embeddingModelSpec(), backbone: "IR50-fixture", head: "AdaFace" },
    })
  ).registerTrainer.id;
}, 120_000);
afterAll(async () => {
  await db?.end();
  await server?.close();
});

const LAUNCH = `mutation($input: LaunchPipelineInput!) { launchPipeline(input: $input) { id status baseline runs { kind status } } }`;

async function rowCounts() {
  const { rows } = await db.query(`SELECT
    (SELECT count(*)::int FROM pipeline) AS pipelines,
    (SELECT count(*)::int FROM run) AS runs,
    (SELECT count(*)::int FROM dataset) AS datasets,
    (SELECT count(*)::int FROM graphile_worker._private_jobs) AS jobs`);
  return rows[0] as { pipelines: number; runs: number; datasets: number; jobs: number };
}

function input(extra: Record<string, unknown> = {}) {
  return {
    sourceDatasetId: setup.datasetId,
    methodId: setup.methodId,
    transferOptions: { batchSize: 2 },
    trainerId,
    benchmarks: [{ name: "LFW", dataPath: benchmarkPath }],
    evaluationOptions: { allowNonStandardSize: true },
    repeats: 2,
    includeBaseline: true,
    ...extra,
  };
}

/** Launches, expects a refusal naming `field` with `code`, and that no row of any kind was written. */
async function expectRefused(launch: Record<string, unknown>, code: string, field: string, message?: RegExp) {
  const before = await rowCounts();
  const result = await gql(server.url, LAUNCH, { input: launch });
  expect(result.data?.launchPipeline ?? null).toBeNull();
  expect(result.errors?.[0]?.extensions).toEqual({ code, field });
  if (message) expect(result.errors?.[0]?.message).toMatch(message);
  expect(await rowCounts()).toEqual(before);
}

describe("launchPipeline refuses at launch and leaves nothing behind", () => {
  it("an unknown source dataset, one without a folder, one whose folder is gone", async () => {
    await expectRefused(input({ sourceDatasetId: "00000000-0000-0000-0000-000000000000" }), "BAD_USER_INPUT", "sourceDatasetId", /does not exist/);
    const noFolder = (await gqlData(server.url, `mutation { createDataset(input: { name: "no-folder", kind: SYNTHETIC, requirement: NONE }) { id } }`)).createDataset.id;
    await expectRefused(input({ sourceDatasetId: noFolder }), "BAD_USER_INPUT", "sourceDatasetId", /no folder/);
    const dir = path.join(server.dataRoot, "vanishing");
    await cp(setup.fixtures.dataset.dir, dir, { recursive: true });
    const vanishing = await registerDataset(server.url, "vanishing", dir);
    await rm(dir, { recursive: true });
    await expectRefused(input({ sourceDatasetId: vanishing }), "BAD_USER_INPUT", "sourceDatasetId", /does not exist/);
    // The baseline alone reads the same folder.
    await expectRefused(input({ sourceDatasetId: vanishing, methodId: null }), "BAD_USER_INPUT", "sourceDatasetId", /does not exist/);
  });

  it("a method without a model, a trainer that does not exist", async () => {
    const { transferMethods } = await gqlData(server.url, `{ transferMethods { id name modelPath } }`);
    const paperMethod = transferMethods.find((m: any) => m.name === "CodeFormer" && !m.modelPath);
    expect(paperMethod).toBeDefined();
    await expectRefused(input({ methodId: paperMethod.id }), "BAD_USER_INPUT", "methodId", /no ONNX model yet; attach one with attachTransferMethodModel/);
    await expectRefused(input({ methodId: "00000000-0000-0000-0000-000000000000" }), "BAD_USER_INPUT", "methodId");
    await expectRefused(input({ trainerId: "00000000-0000-0000-0000-000000000000" }), "BAD_USER_INPUT", "trainerId", /does not exist/);
    await expectRefused(input({ trainParams: [1, 2] }), "BAD_USER_INPUT", "trainParams");
  });

  it("a benchmark file that does not exist, a non-standard size, an unknown benchmark", async () => {
    const missing = path.join(server.dataRoot, "nowhere", "lfw.bin");
    await expectRefused(input({ benchmarks: [{ name: "LFW", dataPath: missing }] }), "BAD_USER_INPUT", "benchmarks[0].dataPath", /does not exist/);
    await expectRefused(
      input({ benchmarks: [{ name: "LFW", dataPath: benchmarkPath }, { name: "CFP-FP", dataPath: missing }] }),
      "BAD_USER_INPUT",
      "benchmarks[1].dataPath",
    );
    // 40 pairs is not LFW's 6,000: refused unless allowNonStandardSize.
    await expectRefused(input({ evaluationOptions: {} }), "BAD_USER_INPUT", "benchmarks[0].dataPath", /6000|6,000/);
    await expectRefused(input({ benchmarks: [{ name: "MegaFace" }] }), "BAD_USER_INPUT", "benchmarks[0].name", /unknown benchmark/);
    await expectRefused(input({ evaluationOptions: { allowNonStandardSize: true, batchSize: 0 } }), "BAD_USER_INPUT", "evaluationOptions.batchSize");
  });

  it("an output name that is taken by a dataset or by a queued transfer, and bad transfer options", async () => {
    await expectRefused(input({ transferOptions: { outputName: "DigiFace-mini" } }), "CONFLICT", "transferOptions.outputName", /already exists/);
    const queued = await gqlData(server.url, LAUNCH_TRANSFER, { datasetId: setup.datasetId, methodId: setup.methodId, options: { outputName: "in-flight" } });
    expect(queued.launchTransfer.status).toBe("QUEUED");
    await expectRefused(input({ transferOptions: { outputName: "in-flight" } }), "CONFLICT", "transferOptions.outputName", /already writes/);
    await expectRefused(input({ transferOptions: { outputName: "../escape" } }), "BAD_USER_INPUT", "transferOptions.outputName");
    await expectRefused(input({ transferOptions: { maxAttempts: 99 } }), "BAD_USER_INPUT", "transferOptions.maxAttempts");
    await expectRefused(input({ seeds: [1, 1] }), "BAD_USER_INPUT", "seeds");
  });

  it("two launches racing for one output name: one wins, the other is refused and leaves nothing", async () => {
    const before = await rowCounts();
    const race = { transferOptions: { outputName: "raced-out" }, includeBaseline: false };
    const results = await Promise.all([1, 2, 3].map(() => gql(server.url, LAUNCH, { input: input(race) })));
    const won = results.filter((r) => r.data?.launchPipeline);
    const lost = results.filter((r) => r.errors);
    expect(won).toHaveLength(1);
    expect(lost.map((r) => r.errors?.[0]?.extensions)).toEqual([
      { code: "CONFLICT", field: "transferOptions.outputName" },
      { code: "CONFLICT", field: "transferOptions.outputName" },
    ]);
    expect(await rowCounts()).toEqual({ ...before, pipelines: before.pipelines + 1, runs: before.runs + 1, jobs: before.jobs + 1 });
  });

  it("an accepted launch writes the pipelines and their first runs together", async () => {
    const before = await rowCounts();
    const launched = (await gqlData(server.url, LAUNCH, { input: input({ transferOptions: { outputName: "accepted-out" } }) })).launchPipeline;
    expect(launched.map((p: any) => [p.status, p.baseline, p.runs.map((r: any) => `${r.kind} ${r.status}`)])).toEqual([
      ["RUNNING", false, ["TRANSFER QUEUED"]],
      ["RUNNING", true, ["TRAIN QUEUED", "TRAIN QUEUED"]],
    ]);
    expect(await rowCounts()).toEqual({ ...before, pipelines: before.pipelines + 2, runs: before.runs + 3, jobs: before.jobs + 3 });
    // Its queued transfer now holds the output name.
    await expectRefused(input({ transferOptions: { outputName: "accepted-out" } }), "CONFLICT", "transferOptions.outputName");
  });
});

describe("resumePipeline needs the LAUNCH scope", () => {
  it("refuses no token and a WRITE token, and lets a LAUNCH token through", async () => {
    const secured = await startTestServer({ AUTH_REQUIRED: "true" });
    try {
      const token = async (scopes: string[]) => (await secured.app.services.auth.createToken({ name: scopes.join("+"), scopes: scopes as any })).secret;
      const RESUME = `mutation($id: ID!) { resumePipeline(id: $id) { id } }`;
      const id = "00000000-0000-0000-0000-000000000000";
      expect((await gql(secured.url, RESUME, { id })).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
      expect((await gql(secured.url, RESUME, { id }, await token(["WRITE"]))).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      expect((await gql(secured.url, RESUME, { id }, await token(["LAUNCH"]))).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    } finally {
      await secured.close();
    }
  });
});
