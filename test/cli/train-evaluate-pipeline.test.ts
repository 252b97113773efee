// The CLI launching trainings, evaluations and whole pipelines against a running
// server with the example trainer, then reading the group back from the leaderboard.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddingModelSpec } from "../../src/fixtures";
import { writePairBenchmark } from "../evaluation/helpers";
import { gqlData } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { registerBigDataset, setUpTransfer } from "../helpers/transfer-setup";
import { cli, cliEnv, describeResult, ids, UUID } from "./helpers";

const REPO = path.resolve(".");
let server: TestServer;
let env: Record<string, string>;
let benchmarkPath: string;

beforeAll(async () => {
  server = await startTestServer({ WORKER_IN_PROCESS: "true", WORKER_CONCURRENCY: "3", HEARTBEAT_INTERVAL_MS: "300", AUTH_REQUIRED: "false" });
  await setUpTransfer(server.url, server.dataRoot, { identities: 3, imagesPerIdentity: 2 });
  await registerBigDataset(server.url, server.dataRoot, "cli-train-data", 3, 2);
  benchmarkPath = (await writePairBenchmark(server.dataRoot, "lfw-mini", 40, 5)).path;
  const command = ["node", "--import", "tsx", path.join(REPO, "examples/trainer/train.ts"), "--data", "{datasetPath}", "--out", "{outputDir}", "--seed", "{seed}", "--epochs", "{param.epochs}", "--sleep-ms", "10"];
  await gqlData(server.url, `mutation($input: RegisterTrainerInput!) { registerTrainer(input: $input) { id } }`, {
    input: { name: "cli-trainer", command, workingDirectory: REPO, modelOutput: "{outputDir}/model.onnx", inputSpec: embeddingModelSpec(), backbone: "IR50-fixture", head: "AdaFace", defaultParams: { epochs: 2 } },
  });
  env = cliEnv(server.url);
}, 120_000);
afterAll(() => server?.close());

describe("realismlab launch train / evaluate", () => {
  it("trains with a named trainer and params, then evaluates the model it produced", async () => {
    const trained = await cli(["launch", "train", "--dataset", "cli-train-data", "--trainer", "cli-trainer", "--seed", "3", "--param", "epochs=3", "--watch", "--json"], env);
    expect(trained.code, describeResult(trained)).toBe(0);
    const run = JSON.parse(trained.stdout);
    expect(run).toMatchObject({ kind: "TRAIN", status: "SUCCEEDED", seed: 3, progress: { done: 3, total: 3 } });
    expect(trained.stderr).toMatch(/\[#{24}\]\s+100%\s+3\/3 .*SUCCEEDED/);
    const { run: state } = await gqlData(server.url, `query($id: ID!) { run(id: $id) { params lineage { outputFaceModel { id name } } } }`, { id: run.id });
    expect(state.params).toMatchObject({ epochs: 3 });
    const model = state.lineage.outputFaceModel;

    const evaluated = await cli(["launch", "evaluate", "--model", model.name, "--benchmark", `lfw=${benchmarkPath}`, "--allow-non-standard-size", "--batch-size", "16", "--watch"], env);
    expect(evaluated.code, describeResult(evaluated)).toBe(0);
    expect(ids(evaluated)).toHaveLength(1);
    expect(ids(evaluated)[0]).toMatch(UUID);
    expect(evaluated.stderr).toContain(`Queued EVALUATE run ${ids(evaluated)[0]}: ${model.name} on LFW`);
    const { run: evaluation } = await gqlData(server.url, `query($id: ID!) { run(id: $id) { status faceModel { id } metrics(benchmark: "LFW", name: "accuracy") { value } } }`, { id: ids(evaluated)[0] });
    expect(evaluation.status).toBe("SUCCEEDED");
    expect(evaluation.faceModel.id).toBe(model.id);
    expect(evaluation.metrics).toHaveLength(1);
  }, 120_000);
});

describe("realismlab launch pipeline", () => {
  it("checks its arguments before launching anything", async () => {
    const seeds = await cli(["launch", "pipeline", "--dataset", "DigiFace-mini", "--method", "CodeFormer-fixture", "--trainer", "cli-trainer", "--benchmark", "LFW", "--repeats", "2", "--seeds", "1,2,3"], env);
    expect(seeds.code).toBe(2);
    expect(seeds.stderr).toContain("--seeds gives 3 seed(s) for --repeats 2");
    const noMethod = await cli(["launch", "pipeline", "--dataset", "DigiFace-mini", "--trainer", "cli-trainer", "--benchmark", "LFW", "--repeats", "1"], env);
    expect(noMethod.code).toBe(2);
    const trainer = await cli(["launch", "pipeline", "--dataset", "DigiFace-mini", "--method", "CodeFormer-fixture", "--trainer", "ir50", "--benchmark", "LFW", "--repeats", "1"], env);
    expect(trainer.code).toBe(2);
    expect(trainer.stderr).toMatch(/no trainer is named "ir50".*cli-trainer/);
    const benchmark = await cli(["launch", "pipeline", "--dataset", "DigiFace-mini", "--method", "CodeFormer-fixture", "--trainer", "cli-trainer", "--benchmark", "LFW-2", "--repeats", "1"], env);
    expect(benchmark.code).toBe(2);
    expect(benchmark.stderr).toMatch(/no benchmark is named "LFW-2".*CFP-FP/);
    const { pipelines } = await gqlData(server.url, `{ pipelines { id } }`);
    expect(pipelines).toEqual([]);
  }, 60_000);

  it("runs transfer -> train x2 -> evaluate with the baseline under --watch, onto the leaderboard", async () => {
    const result = await cli(
      ["launch", "pipeline", "--dataset", "DigiFace-mini", "--method", "CodeFormer-fixture", "--trainer", "cli-trainer", "--benchmark", `LFW=${benchmarkPath}`,
        "--repeats", "2", "--seeds", "7,8", "--baseline", "--transfer-batch-size", "2", "--eval-batch-size", "16", "--allow-non-standard-size", "--param", "epochs=2", "--watch"],
      env,
      200_000,
    );
    expect(result.code, describeResult(result)).toBe(0);
    const [main, baseline] = ids(result);
    expect(ids(result)).toHaveLength(2);
    expect(result.stderr).toMatch(new RegExp(`Launched pipeline ${main}: .* 5 steps`));
    expect(result.stderr).toMatch(new RegExp(`Launched baseline pipeline ${baseline}: .* 4 steps`));
    expect(result.stderr).toMatch(/pipeline [0-9a-f]{8} +\[#{24}\] +100% +5\/5 steps +SUCCEEDED/);
    expect(result.stderr).toMatch(/baseline [0-9a-f]{8} +\[#{24}\] +100% +4\/4 steps +SUCCEEDED/);
    expect(result.stderr).toMatch(new RegExp(`pipeline ${main} \\(.*\\) SUCCEEDED`));

    const board = await cli(["leaderboard", "--own", "--benchmark", "LFW", "--baseline", "DigiFace-mini"], env);
    expect(board.code, describeResult(board)).toBe(0);
    const row = board.stdout.split("\n").find((l) => l.startsWith("CodeFormer-fixture on"));
    // † : the 40-pair benchmark is off LFW's protocol.
    expect(row, board.stdout).toMatch(/\s2\s+\d+\.\d\d±\d+\.\d\d† \([+-]\d+\.\d\d\)/);
    expect(board.stdout).toContain("† off the benchmark's protocol (never best)");
    expect(board.stdout).toMatch(/DigiFace-mini.*\[baseline\]\s+2\s/);
    const csv = await cli(["leaderboard", "--own", "--benchmark", "LFW", "--format", "csv"], env);
    expect(csv.code).toBe(0);
    expect(csv.stdout.split("\n")[0]).toContain("label");
    expect(csv.stdout).toContain("CodeFormer-fixture");
  }, 240_000);
});
