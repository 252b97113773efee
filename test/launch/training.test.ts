// TRAIN runs with an external trainer (examples/trainer/train.ts, run without a
// shell): progress and metrics from its JSON lines, its log kept and streamed,
// its exported model registered as a FaceModel; failures, malformed lines,
// cancel with a trainer that ignores SIGTERM, and no shell injection.
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddingModelSpec } from "../../src/fixtures";
import { gql, gqlData, subscribe, wsClient } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { setUpTransfer, type TransferSetup } from "../helpers/transfer-setup";

const REPO = path.resolve(".");
const TRAINER = ["node", "--import", "tsx", path.join(REPO, "examples/trainer/train.ts"), "--data", "{datasetPath}", "--out", "{outputDir}", "--seed", "{seed}", "--epochs", "{param.epochs}", "--sleep-ms", "{param.sleepMs}"];

let server: TestServer;
let setup: TransferSetup;
beforeAll(async () => {
  server = await startTestServer({ WORKER_IN_PROCESS: "true", WORKER_CONCURRENCY: "2", HEARTBEAT_INTERVAL_MS: "300", TRAINER_KILL_GRACE_MS: "1000" });
  setup = await setUpTransfer(server.url, server.dataRoot, { identities: 3, imagesPerIdentity: 2 });
});
afterAll(() => server?.close());

async function registerTrainer(name: string, extraArgs: string[] = [], command = TRAINER) {
  const data = await gqlData(server.url, `mutation($input: RegisterTrainerInput!) { registerTrainer(input: $input) { id command } }`, {
    input: {
      name, command: [...command, ...extraArgs], workingDirectory: REPO, modelOutput: "{outputDir}/model.onnx",
      inputSpec: embeddingModelSpec(), backbone: "IR50-fixture", head: "AdaFace", defaultParams: { epochs: 4, sleepMs: 30 },
    },
  });
  return data.registerTrainer.id as string;
}

async function launch(trainerId: string, seed: number, params: Record<string, unknown> = {}) {
  const data = await gqlData(server.url, `mutation($d: ID!, $t: ID!, $s: Int, $p: JSON) { launchTraining(datasetId: $d, trainerId: $t, seed: $s, params: $p) { id status group } }`, { d: setup.datasetId, t: trainerId, s: seed, p: params });
  return data.launchTraining;
}

async function waitForEnd(id: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { run } = await gqlData(server.url, `query($id: ID!) { run(id: $id) { status error details progress { done total }
      outputFaceModel: lineage { outputFaceModel { name backbone head modelPath trainedOn { name } producedByRun { id } } }
      metricHistory(name: "train_loss") { step value } logTail(lines: 200) { stream line } } }`, { id });
    if (["SUCCEEDED", "FAILED", "CANCELLED"].includes(run.status)) return run;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`run ${id} did not finish`);
}

describe("launchTraining", () => {
  it("runs the trainer to SUCCEEDED and registers its model", async () => {
    const trainerId = await registerTrainer("fixture-trainer");
    const client = wsClient(server.wsUrl);
    const run = await launch(trainerId, 3);
    expect(run.status).toBe("QUEUED");
    expect(run.group).toBe('fixture-trainer on DigiFace-mini {"epochs":4,"sleepMs":30}');
    const logs = subscribe(client, `subscription($id: ID!) { runLog(runId: $id) { lines { stream line } } }`, { id: run.id });
    const finished = await waitForEnd(run.id);
    expect(finished.status).toBe("SUCCEEDED");
    expect(finished.progress).toEqual({ done: 4, total: 4 });
    expect(finished.metricHistory).toEqual([1, 2, 3, 4].map((step) => ({ step, value: Number((2 / (step + 1) + 0.003).toFixed(6)) })));
    const model = finished.outputFaceModel.outputFaceModel;
    expect(model).toMatchObject({ backbone: "IR50-fixture", head: "AdaFace", trainedOn: { name: "DigiFace-mini" }, producedByRun: { id: run.id } });
    expect(existsSync(model.modelPath)).toBe(true);
    const lines = finished.logTail.map((l: any) => l.line);
    expect(lines[0]).toMatch(/^\$ "node" "--import" "tsx" .*"--seed" "3"/);
    expect(lines).toContain("exported model.onnx");
    await logs.next((e: any) => e.runLog.lines.some((l: any) => l.line.includes("training on 3 identities")));
    await client.dispose();
  });

  it("fails with the tail of the log when the trainer exits 1", async () => {
    const trainerId = await registerTrainer("failing-trainer", ["--fail"]);
    const finished = await waitForEnd((await launch(trainerId, 1)).id);
    expect(finished.status).toBe("FAILED");
    expect(finished.error).toMatch(/trainer exited with code 1; last lines:[\s\S]*CUDA out of memory \(pretend\)/);
    // The cause, not the worker's echo of the command line.
    expect(finished.error).not.toMatch(/^\$ /m);
    expect(finished.outputFaceModel.outputFaceModel).toBeNull();
  });

  it("logs and ignores malformed JSON lines and still succeeds", async () => {
    const trainerId = await registerTrainer("garbage-trainer", ["--garbage"]);
    const finished = await waitForEnd((await launch(trainerId, 2)).id);
    expect(finished.status).toBe("SUCCEEDED");
    expect(finished.details.malformedLines).toBe(4);
    expect(finished.metricHistory).toHaveLength(4);
    expect(finished.logTail.some((l: any) => l.stream === "system" && l.line.startsWith("ignored a malformed trainer line"))).toBe(true);
  });

  it("cancels a trainer that ignores SIGTERM by killing its process group after the grace period", async () => {
    const trainerId = await registerTrainer("stubborn-trainer", ["--ignore-sigterm"]);
    const run = await launch(trainerId, 4, { epochs: 200, sleepMs: 100 });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const { run: state } = await gqlData(server.url, `query($id: ID!) { run(id: $id) { progress { done } } }`, { id: run.id });
      if (state.progress.done >= 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await gqlData(server.url, `mutation($id: ID!) { cancelRun(id: $id) { status } }`, { id: run.id });
    await new Promise((r) => setTimeout(r, 3_000)); // grace 1 s, then SIGKILL
    const { run: state } = await gqlData(server.url, `query($id: ID!) { run(id: $id) { status progress { done } logTail(lines: 50) { line } } }`, { id: run.id });
    expect(state.status).toBe("CANCELLED");
    expect(state.logTail.map((l: any) => l.line)).toContain("ignoring SIGTERM");
    expect(state.logTail.some((l: any) => /trainer exited with signal SIGKILL/.test(l.line))).toBe(true);
    expect(state.progress.done).toBeLessThan(200);
  });

  it("passes values as single arguments, never through a shell", async () => {
    const marker = path.join(server.dataRoot, "pwned");
    const trainerId = await registerTrainer("echo-trainer", [], ["node", "-e", "console.log('arg=' + process.argv[1]); process.exit(3)", "{param.note}"]);
    const finished = await waitForEnd((await launch(trainerId, 0, { note: `$(touch ${marker}); touch ${marker}` })).id);
    expect(finished.logTail.map((l: any) => l.line)).toContain(`arg=$(touch ${marker}); touch ${marker}`);
    expect(existsSync(marker)).toBe(false);
  });

  it("refuses bad trainer registrations with errors naming the field", async () => {
    const base = { name: "bad", workingDirectory: REPO, modelOutput: "{outputDir}/m.onnx", inputSpec: embeddingModelSpec(), backbone: "b", head: "h" };
    const unknown = await gql(server.url, `mutation($input: RegisterTrainerInput!) { registerTrainer(input: $input) { id } }`, { input: { ...base, command: ["python", "{dataset}"] } });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "command" });
    expect(unknown.errors?.[0]?.message).toContain("unknown placeholder {dataset}");
    const shell = await gql(server.url, `mutation($input: RegisterTrainerInput!) { registerTrainer(input: $input) { id } }`, { input: { ...base, commandLine: "python train.py | tee log" } });
    expect(shell.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "commandLine" });
    const line = await gqlData(server.url, `mutation($input: RegisterTrainerInput!) { registerTrainer(input: $input) { command } }`, { input: { ...base, name: "quoted", commandLine: `python "my train.py" --data {datasetPath}` } });
    expect(line.registerTrainer.command).toEqual(["python", "my train.py", "--data", "{datasetPath}"]);
    const outside = await gql(server.url, `mutation($input: RegisterTrainerInput!) { registerTrainer(input: $input) { id } }`, { input: { ...base, name: "x", command: ["python"], modelOutput: "/tmp/model.onnx" } });
    expect(outside.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "modelOutput" });
  });
});
