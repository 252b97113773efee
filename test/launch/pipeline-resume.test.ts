// Resuming a FAILED or CANCELLED pipeline with real runs (fixture transfer model, the example
// trainer, a small LFW-format benchmark): finished steps are reused (the transferred dataset,
// trained models, succeeded evaluations), only what did not finish runs again, and the
// pipeline then SUCCEEDS. One worker slot, so the queue order (and which step breaks) is fixed.
import { rm, writeFile, rename } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddingModelSpec } from "../../src/fixtures";
import { writePairBenchmark } from "../evaluation/helpers";
import { cli, cliEnv, describeResult } from "../cli/helpers";
import { gql, gqlData, subscribe, wsClient } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { registerBigDataset, setUpTransfer, type TransferSetup } from "../helpers/transfer-setup";

const REPO = path.resolve(".");
let server: TestServer;
let setup: TransferSetup;
let benchmarkPath: string;

beforeAll(async () => {
  server = await startTestServer({ WORKER_IN_PROCESS: "true", WORKER_CONCURRENCY: "1", HEARTBEAT_INTERVAL_MS: "300", TRAINER_KILL_GRACE_MS: "500" });
  setup = await setUpTransfer(server.url, server.dataRoot, { identities: 3, imagesPerIdentity: 2 });
  benchmarkPath = (await writePairBenchmark(server.dataRoot, "lfw-mini", 40, 5)).path;
}, 120_000);
afterAll(() => server?.close());

/** The example trainer; it fails at epoch 2 while `<dataRoot>/fail-seed-<seed>` exists and holds before exporting while `hold` exists. */
async function registerTrainer(name: string) {
  const command = [
    "node", "--import", "tsx", path.join(REPO, "examples/trainer/train.ts"), "--data", "{datasetPath}", "--out", "{outputDir}", "--seed", "{seed}",
    "--epochs", "2", "--sleep-ms", "10",
    "--fail-if-exists", path.join(server.dataRoot, "fail-seed-{seed}"),
    "--hold-while-exists", path.join(server.dataRoot, "hold"),
  ];
  const data = await gqlData(server.url, `mutation($input: RegisterTrainerInput!) { registerTrainer(input: $input) { id } }`, {
    input: { name, command, workingDirectory: REPO, modelOutput: "{outputDir}/model.onnx", inputSpec: embeddingModelSpec(), backbone: "IR50-fixture", head: "AdaFace" },
  });
  return data.registerTrainer.id as string;
}

const LAUNCH = `mutation($input: LaunchPipelineInput!) { launchPipeline(input: $input) { id } }`;
const RESUME = `mutation($id: ID!) { resumePipeline(id: $id) { id status error } }`;
const STATE = `query($id: ID!) { pipeline(id: $id) { id status error progress { done total }
  runs { id kind status seed details faceModel { id } progress { done } lineage { outputDataset { id name } outputFaceModel { id } } } } }`;

async function pipelineState(id: string) {
  return (await gqlData(server.url, STATE, { id })).pipeline;
}

async function waitFor(id: string, done: (p: any) => boolean, timeoutMs = 150_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const pipeline = await pipelineState(id);
    if (done(pipeline)) return pipeline;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`pipeline ${id} did not get there: ${JSON.stringify(await pipelineState(id))}`);
}
const finished = (p: any) => p.status !== "RUNNING";

function input(trainerId: string, extra: Record<string, unknown> = {}) {
  return {
    sourceDatasetId: setup.datasetId,
    methodId: setup.methodId,
    transferOptions: { batchSize: 2 },
    trainerId,
    benchmarks: [{ name: "LFW", dataPath: benchmarkPath }],
    evaluationOptions: { allowNonStandardSize: true, batchSize: 16 },
    repeats: 2,
    seeds: [7, 8],
    ...extra,
  };
}

const stepsOf = (runs: any[]) => runs.map((r) => `${r.kind}${r.seed != null && r.kind === "TRAIN" ? ` ${r.seed}` : ""} ${r.status}`);

describe("resumePipeline", () => {
  it("after a failed training: keeps the transfer, the other seed's model, and re-runs only what did not finish", async () => {
    const trainerId = await registerTrainer("resume-trainer");
    await writeFile(path.join(server.dataRoot, "fail-seed-8"), "");
    const { launchPipeline: [launched] } = await gqlData(server.url, LAUNCH, { input: input(trainerId, { transferOptions: { batchSize: 2, outputName: "resume-out" } }) });
    const failed = await waitFor(launched.id, finished);
    expect(failed.status).toBe("FAILED");
    expect(failed.error).toMatch(/TRAIN run .* FAILED/);
    // Queue order with one worker slot: transfer, train 7, train 8 (fails); seed 7's evaluation was queued and got cancelled.
    expect(stepsOf(failed.runs)).toEqual(["TRANSFER SUCCEEDED", "TRAIN 7 SUCCEEDED", "TRAIN 8 FAILED", "EVALUATE CANCELLED"]);
    const kept = new Map(failed.runs.filter((r: any) => r.status === "SUCCEEDED").map((r: any) => [r.id, r]));
    const transferredDataset = failed.runs[0].lineage.outputDataset.id;
    const seed7Model = failed.runs[1].lineage.outputFaceModel.id;

    // Checked like a launch: with its benchmark file gone it is refused and stays FAILED, nothing queued.
    await rename(benchmarkPath, `${benchmarkPath}.away`);
    const refused = await gql(server.url, RESUME, { id: launched.id });
    expect(refused.errors?.[0]?.extensions).toEqual({ code: "BAD_USER_INPUT", field: "benchmarks[0].dataPath" });
    await rename(`${benchmarkPath}.away`, benchmarkPath);
    const unchanged = await pipelineState(launched.id);
    expect([unchanged.status, unchanged.runs.length]).toEqual(["FAILED", 4]);

    await rm(path.join(server.dataRoot, "fail-seed-8"));
    const client = wsClient(server.wsUrl);
    const updates = subscribe(client, `subscription($id: ID!) { pipelineUpdated(id: $id) { pipeline { status } } }`, { id: launched.id });
    const resumed = (await gqlData(server.url, RESUME, { id: launched.id })).resumePipeline;
    expect(resumed).toMatchObject({ status: "RUNNING", error: null });
    const done = await waitFor(launched.id, finished);
    await updates.next((e: any) => e.pipelineUpdated.pipeline.status === "SUCCEEDED", 10_000);
    await client.dispose();

    expect(done.status).toBe("SUCCEEDED");
    expect(done.progress).toEqual({ done: 5, total: 5 });
    // The old runs are kept as history; each broken step got exactly one new run; finished ones none.
    expect(done.runs.slice(0, 4).map((r: any) => r.id)).toEqual(failed.runs.map((r: any) => r.id));
    expect(stepsOf(done.runs.slice(4)).sort()).toEqual(["EVALUATE SUCCEEDED", "EVALUATE SUCCEEDED", "TRAIN 8 SUCCEEDED"]);
    for (const [id, before] of kept) expect(done.runs.find((r: any) => r.id === id)).toEqual(before);
    expect(done.runs.filter((r: any) => r.kind === "TRANSFER")).toHaveLength(1);
    const trains = done.runs.filter((r: any) => r.kind === "TRAIN" && r.status === "SUCCEEDED");
    expect(trains.map((r: any) => r.seed).sort()).toEqual([7, 8]);
    const evaluated = done.runs.filter((r: any) => r.kind === "EVALUATE" && r.status === "SUCCEEDED").map((r: any) => r.faceModel.id);
    expect(evaluated).toContain(seed7Model);
    expect(new Set(evaluated).size).toBe(2);
    expect(done.runs[0].lineage.outputDataset.id).toBe(transferredDataset);

    // Only FAILED or CANCELLED pipelines resume.
    const again = await gql(server.url, RESUME, { id: launched.id });
    expect(again.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    const unknown = await gql(server.url, RESUME, { id: "00000000-0000-0000-0000-000000000000" });
    expect(unknown.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  }, 300_000);

  it("after a cancel mid-transfer: the new transfer skips the images already written", async () => {
    const trainerId = await registerTrainer("resume-cancel-trainer");
    const big = await registerBigDataset(server.url, server.dataRoot, "DigiFace-big", 30, 10);
    const { launchPipeline: [launched] } = await gqlData(server.url, LAUNCH, {
      input: input(trainerId, { sourceDatasetId: big, repeats: 1, seeds: [1], transferOptions: { batchSize: 2, outputName: "resume-cancel-out" } }),
    });
    await waitFor(launched.id, (p) => (p.runs[0]?.progress?.done ?? 0) >= 20, 60_000);
    const cancelled = (await gqlData(server.url, `mutation($id: ID!) { cancelPipeline(id: $id) { status } }`, { id: launched.id })).cancelPipeline;
    expect(cancelled.status).toBe("CANCELLED");
    // Through the command line, watched to the end: exit 0 once the pipeline SUCCEEDED.
    const resumed = await cli(["pipeline", "resume", launched.id, "--watch"], cliEnv(server.url), 240_000);
    expect(resumed.code, describeResult(resumed)).toBe(0);
    expect(resumed.stdout.trim()).toBe(launched.id);
    expect(resumed.stderr).toMatch(/Resumed pipeline/);
    const done = await pipelineState(launched.id);
    expect(done.status).toBe("SUCCEEDED");
    expect(stepsOf(done.runs)).toEqual(["TRANSFER CANCELLED", "TRANSFER SUCCEEDED", "TRAIN 1 SUCCEEDED", "EVALUATE SUCCEEDED"]);
    const transfer = done.runs[1];
    expect(transfer.details.skipped).toBeGreaterThanOrEqual(20);
    expect(transfer.details.processed + transfer.details.skipped).toBe(300);
    expect(transfer.lineage.outputDataset.name).toBe("resume-cancel-out");
  }, 300_000);
});
