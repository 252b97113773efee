// The paper's whole experiment from one mutation: transfer -> train x repeats ->
// evaluate, plus the untransferred baseline; the group reaches the leaderboard
// with n = repeats and a std, and the delta against the baseline.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddingModelSpec } from "../../src/fixtures";
import { writePairBenchmark } from "../evaluation/helpers";
import { gql, gqlData, subscribe, wsClient } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { setUpTransfer, type TransferSetup } from "../helpers/transfer-setup";

const REPO = path.resolve(".");
let server: TestServer;
let setup: TransferSetup;
let benchmarkPath: string;

beforeAll(async () => {
  server = await startTestServer({ WORKER_IN_PROCESS: "true", WORKER_CONCURRENCY: "3", HEARTBEAT_INTERVAL_MS: "300", TRAINER_KILL_GRACE_MS: "500" });
  setup = await setUpTransfer(server.url, server.dataRoot, { identities: 3, imagesPerIdentity: 2 });
  benchmarkPath = (await writePairBenchmark(server.dataRoot, "lfw-mini", 40, 5)).path;
}, 120_000);
afterAll(() => server?.close());

async function registerTrainer(name: string, extra: string[] = []) {
  const command = ["node", "--import", "tsx", path.join(REPO, "examples/trainer/train.ts"), "--data", "{datasetPath}", "--out", "{outputDir}", "--seed", "{seed}", "--epochs", "{param.epochs}", "--sleep-ms", "10", ...extra];
  const data = await gqlData(server.url, `mutation($input: RegisterTrainerInput!) { registerTrainer(input: $input) { id } }`, {
    input: { name, command, workingDirectory: REPO, modelOutput: "{outputDir}/model.onnx", inputSpec: embeddingModelSpec(), backbone: "IR50-fixture", head: "AdaFace", defaultParams: { epochs: 2 } },
  });
  return data.registerTrainer.id as string;
}

const LAUNCH = `mutation($input: LaunchPipelineInput!) { launchPipeline(input: $input) { id name status baseline group } }`;
const STATE = `query($id: ID!) { pipeline(id: $id) { id status error baseline group progress { done total fraction }
  runs { kind status seed group error lineage { outputFaceModel { id } } } } }`;

async function waitForPipeline(id: string, timeoutMs = 150_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { pipeline } = await gqlData(server.url, STATE, { id });
    if (pipeline.status !== "RUNNING") return pipeline;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`pipeline ${id} did not finish: ${JSON.stringify((await gqlData(server.url, STATE, { id })).pipeline)}`);
}

function pipelineInput(trainerId: string, extra: Record<string, unknown> = {}) {
  return {
    sourceDatasetId: setup.datasetId,
    methodId: setup.methodId,
    transferOptions: { batchSize: 2 },
    trainerId,
    benchmarks: [{ name: "LFW", dataPath: benchmarkPath }],
    evaluationOptions: { allowNonStandardSize: true, batchSize: 16 },
    repeats: 2,
    ...extra,
  };
}

describe("launchPipeline", () => {
  it("runs transfer -> 2 trainings -> 2 evaluations, and the baseline, onto the leaderboard", async () => {
    const trainerId = await registerTrainer("pipeline-trainer");
    const launched = (await gqlData(server.url, LAUNCH, { input: pipelineInput(trainerId, { includeBaseline: true, seeds: [7, 8] }) })).launchPipeline;
    expect(launched.map((p: any) => [p.status, p.baseline])).toEqual([["RUNNING", false], ["RUNNING", true]]);
    const client = wsClient(server.wsUrl);
    const updates = subscribe(client, `subscription($id: ID!) { pipelineUpdated(id: $id) { pipeline { status progress { done total } } } }`, { id: launched[0].id });

    const [main, baseline] = [await waitForPipeline(launched[0].id), await waitForPipeline(launched[1].id)];
    expect(main.status).toBe("SUCCEEDED");
    expect(main.progress).toEqual({ done: 5, total: 5, fraction: 1 });
    expect(main.runs.map((r: any) => r.kind).sort()).toEqual(["EVALUATE", "EVALUATE", "TRAIN", "TRAIN", "TRANSFER"]);
    expect(main.runs.filter((r: any) => r.kind !== "TRANSFER").every((r: any) => r.group === main.group)).toBe(true);
    expect(main.runs.filter((r: any) => r.kind === "TRAIN").map((r: any) => r.seed).sort()).toEqual([7, 8]);
    expect(baseline.status).toBe("SUCCEEDED");
    expect(baseline.runs.map((r: any) => r.kind).sort()).toEqual(["EVALUATE", "EVALUATE", "TRAIN", "TRAIN"]);
    await updates.next((e: any) => e.pipelineUpdated.pipeline.status === "SUCCEEDED", 10_000);
    await client.dispose();

    const board = await gqlData(server.url, `{ leaderboard(benchmarks: ["LFW"], filter: { published: false }, baseline: { dataset: "DigiFace-mini" }) {
      rows { label dataset { name } transferMethod { name } runCount seeds isBaseline cells { n mean std delta } } } }`);
    const transferred = board.leaderboard.rows.find((r: any) => r.transferMethod?.name === "CodeFormer-fixture");
    const untransferred = board.leaderboard.rows.find((r: any) => r.isBaseline);
    expect(transferred.runCount).toBe(2);
    expect(transferred.seeds.sort()).toEqual([7, 8]);
    expect(transferred.cells[0].n).toBe(2);
    expect(transferred.cells[0].std).toBeGreaterThanOrEqual(0);
    expect(untransferred.dataset.name).toBe("DigiFace-mini");
    expect(untransferred.runCount).toBe(2);
    expect(transferred.cells[0].delta).toBeCloseTo(transferred.cells[0].mean - untransferred.cells[0].mean, 12);
  }, 240_000);

  it("fails clearly when a training step fails, cancelling the rest", async () => {
    const trainerId = await registerTrainer("pipeline-failing-trainer", ["--fail"]);
    const [pipeline] = (await gqlData(server.url, LAUNCH, { input: pipelineInput(trainerId, { transferOptions: { batchSize: 2, outputName: "fail-out" } }) })).launchPipeline;
    const done = await waitForPipeline(pipeline.id);
    expect(done.status).toBe("FAILED");
    expect(done.error).toMatch(/TRAIN run .* FAILED: trainer exited with code 1/);
    expect(done.runs.some((r: any) => r.kind === "EVALUATE")).toBe(false);
    expect(done.runs.every((r: any) => ["SUCCEEDED", "FAILED", "CANCELLED"].includes(r.status))).toBe(true);
  }, 120_000);

  it("cancels its queued and running steps", async () => {
    const trainerId = await registerTrainer("pipeline-slow-trainer", ["--ignore-sigterm"]);
    const input = pipelineInput(trainerId, { includeBaseline: true, methodId: null, trainParams: { epochs: 500 } });
    const [pipeline] = (await gqlData(server.url, LAUNCH, { input })).launchPipeline;
    expect(pipeline.baseline).toBe(true);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const { pipeline: state } = await gqlData(server.url, STATE, { id: pipeline.id });
      if (state.runs.some((r: any) => r.status === "RUNNING")) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const cancelled = await gqlData(server.url, `mutation($id: ID!) { cancelPipeline(id: $id) { status } }`, { id: pipeline.id });
    expect(cancelled.cancelPipeline.status).toBe("CANCELLED");
    const { pipeline: state } = await gqlData(server.url, STATE, { id: pipeline.id });
    expect(state.runs.length).toBeGreaterThan(0);
    expect(state.runs.every((r: any) => r.status === "CANCELLED")).toBe(true);
    const again = await gql(server.url, `mutation($id: ID!) { cancelPipeline(id: $id) { status } }`, { id: pipeline.id });
    expect(again.errors?.[0]?.extensions?.code).toBe("CONFLICT");
  }, 60_000);

  it("validates the launch", async () => {
    const trainerId = await registerTrainer("pipeline-validate-trainer");
    const seeds = await gql(server.url, LAUNCH, { input: pipelineInput(trainerId, { seeds: [1, 1] }) });
    expect(seeds.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "seeds" });
    const fresh = { transferOptions: { batchSize: 2, outputName: "validate-out" } };
    const bench = await gql(server.url, LAUNCH, { input: pipelineInput(trainerId, { ...fresh, benchmarks: [{ name: "MegaFace" }] }) });
    expect(bench.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "benchmarks[0].name" });
    // The first test's transfer registered the default output name: taken.
    const taken = await gql(server.url, LAUNCH, { input: pipelineInput(trainerId) });
    expect(taken.errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT", field: "transferOptions.outputName" });
  });
});
