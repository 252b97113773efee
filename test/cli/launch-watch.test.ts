// The CLI against a running server: launch a transfer and watch it to 100%, watch a
// (training) run that gets cancelled (exit 1), list runs, cancel twice (CONFLICT), and the exit
// codes of bad names (2), API errors (1) and an unreachable server (3).
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddingModelSpec } from "../../src/fixtures";
import { gqlData } from "../helpers/graphql-client";
import { freePort } from "../helpers/process";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { registerBigDataset, setUpTransfer, type TransferSetup } from "../helpers/transfer-setup";
import { cli, cliEnv, describeResult, ids, startCli, UUID } from "./helpers";

let server: TestServer;
let setup: TransferSetup;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startTestServer({ WORKER_IN_PROCESS: "true", HEARTBEAT_INTERVAL_MS: "300", AUTH_REQUIRED: "false" });
  setup = await setUpTransfer(server.url, server.dataRoot);
  await registerBigDataset(server.url, server.dataRoot, "cli-watch", 20, 5);
  // A trainer that takes its time (an epoch every 100 ms), so there is time to cancel it whatever the machine's load.
  const REPO = path.resolve(".");
  const command = ["node", "--import", "tsx", path.join(REPO, "examples/trainer/train.ts"), "--data", "{datasetPath}", "--out", "{outputDir}", "--seed", "{seed}", "--epochs", "{param.epochs}", "--sleep-ms", "100"];
  await gqlData(server.url, `mutation($input: RegisterTrainerInput!) { registerTrainer(input: $input) { id } }`, {
    input: { name: "slow-trainer", command, workingDirectory: REPO, modelOutput: "{outputDir}/model.onnx", inputSpec: embeddingModelSpec(), backbone: "IR50-fixture", head: "AdaFace", defaultParams: { epochs: 3000 } },
  });
  env = cliEnv(server.url);
}, 120_000);
afterAll(() => server?.close());

const RUN = `query($id: ID!) { run(id: $id) { id kind status error progress { done total fraction } } }`;
let watchedId: string;
let cancelledId: string;

describe("realismlab launch transfer --watch", () => {
  it("prints the run id, draws the progress to 100% with the rate, and exits 0 when the run succeeds", async () => {
    const result = await cli(["launch", "transfer", "--dataset", "cli-watch", "--method", "codeformer-FIXTURE", "--batch-size", "1", "--fidelity-weight", "0.7", "--output-name", "cli-watch-cf", "--watch"], env);
    expect(result.code, describeResult(result)).toBe(0);
    [watchedId] = ids(result);
    expect(ids(result)).toHaveLength(1);
    expect(watchedId).toMatch(UUID);
    expect(result.stderr).toContain(`Queued TRANSFER run ${watchedId}: cli-watch with CodeFormer-fixture`);
    // Off a terminal: a line per update; the last one shows the full bar, 100/100 and the rate.
    const finalLine = result.stderr.split("\n").find((l) => l.includes("SUCCEEDED") && l.startsWith("["));
    expect(finalLine, result.stderr).toMatch(/^\[#{24}\]\s+100%\s+100\/100\s+\d+(\.\d+)?\/s\s+SUCCEEDED in \d+s/);
    expect(result.stderr).toMatch(new RegExp(`TRANSFER run ${watchedId} SUCCEEDED in \\d+s`));
    const { run } = await gqlData(server.url, RUN, { id: watchedId });
    expect(run).toMatchObject({ status: "SUCCEEDED", progress: { done: 100, total: 100, fraction: 1 } });
  }, 120_000);

  it("passes the options through (JSON output without --watch)", async () => {
    const result = await cli(["launch", "transfer", "--dataset", setup.datasetId, "--method", setup.methodId, "--limit", "2", "--output-name", "cli-json", "--method-option", "fidelityWeight=0.25", "--json"], env);
    expect(result.code, describeResult(result)).toBe(0);
    const run = JSON.parse(result.stdout);
    expect(run).toMatchObject({ kind: "TRANSFER", status: "QUEUED" });
    const { run: state } = await gqlData(server.url, `query($id: ID!) { run(id: $id) { params } }`, { id: run.id });
    expect(state.params).toMatchObject({ limit: 2, outputName: "cli-json" });
    expect(JSON.stringify(state.params)).toContain("0.25");
    const watched = await cli(["watch", run.id], env);
    expect(watched.code, describeResult(watched)).toBe(0);
  }, 120_000);
});

describe("realismlab watch", () => {
  it("follows a running run live and exits 1 when it is cancelled, printing why", async () => {
    const launched = await cli(["launch", "train", "--dataset", "DigiFace-mini", "--trainer", "slow-trainer", "--seed", "1"], env);
    expect(launched.code, describeResult(launched)).toBe(0);
    [cancelledId] = ids(launched);
    const watcher = startCli(["watch", cancelledId!, "--interval", "0"], env);
    try {
      // Live progress from the subscription: a partial bar with done/total and a rate while RUNNING.
      await watcher.waitFor(/\[#*\.+\]\s+\d+%\s+\d+\/3000\s+\d+(\.\d+)?\/s\s+ETA \S+\s+RUNNING\s+epoch/, 60_000);
      const cancelled = await cli(["cancel", cancelledId!], env);
      expect(cancelled.code, describeResult(cancelled)).toBe(0);
      expect(cancelled.stdout.trim()).toBe(cancelledId);
      expect(cancelled.stderr).toContain(`TRAIN run ${cancelledId} CANCELLED`);
      expect(await watcher.exited()).toBe(1);
      expect(watcher.output()).toMatch(new RegExp(`TRAIN run ${cancelledId} CANCELLED`));
    } finally {
      watcher.kill("SIGKILL");
    }
  }, 120_000);

  it("exits at once with the outcome of a run that already ended", async () => {
    const done = await cli(["watch", watchedId], env);
    expect(done.code, describeResult(done)).toBe(0);
    const cancelled = await cli(["watch", cancelledId, "--json"], env);
    expect(cancelled.code).toBe(1);
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ id: cancelledId, status: "CANCELLED" });
  }, 60_000);

  it("cancelling again is a CONFLICT (exit 1)", async () => {
    const again = await cli(["cancel", cancelledId], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/error: cannot cancel .*\[CONFLICT\]/);
  }, 60_000);
});

describe("realismlab runs", () => {
  it("lists the runs as a table, filtered by kind and status", async () => {
    const all = await cli(["runs", "--kind", "transfer"], env);
    expect(all.code, describeResult(all)).toBe(0);
    const lines = all.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^ID\s+KIND\s+STATUS\s+PROGRESS\s+WHAT/);
    expect(lines.find((l) => l.startsWith(watchedId))).toMatch(/TRANSFER\s+SUCCEEDED\s+100\/100 100%/);
    expect(all.stdout).not.toContain(cancelledId);
    expect(all.stdout).not.toContain("Published:"); // published results only with --published / --all

    // Kinds come from the server's registry: dataset_quality is one, though no run has it here.
    const quality = await cli(["runs", "--kind", "dataset_quality", "--json"], env);
    expect(quality.code, describeResult(quality)).toBe(0);
    expect(JSON.parse(quality.stdout).nodes).toEqual([]);

    const cancelled = await cli(["runs", "--status", "cancelled", "--json"], env);
    expect(cancelled.code).toBe(0);
    expect(JSON.parse(cancelled.stdout).nodes.map((r: any) => [r.id, r.kind, r.status])).toEqual([[cancelledId, "TRAIN", "CANCELLED"]]);

    const page = await cli(["runs", "--all", "--first", "2"], env);
    expect(page.stdout.trim().split("\n")).toHaveLength(3);
    expect(page.stderr).toMatch(/2 of \d+; more with --after \S+/);
  }, 60_000);
});

describe("errors and exit codes", () => {
  it("a name that matches nothing is a usage error (2) naming the known ones, and nothing is launched", async () => {
    const before = (await gqlData(server.url, `{ runs(filter: { published: false }) { totalCount } }`)).runs.totalCount;
    const result = await cli(["launch", "transfer", "--dataset", "DigiFace-maxi", "--method", "CodeFormer-fixture"], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error: --dataset: no dataset is named "DigiFace-maxi" .*known datasets: .*DigiFace-mini/);
    expect(result.stderr).toContain("realismlab launch transfer --help");
    const method = await cli(["launch", "transfer", "--dataset", "DigiFace-mini", "--method", "Codeformr"], env);
    expect(method.code).toBe(2);
    expect(method.stderr).toMatch(/no transfer method is named "Codeformr"/);
    const after = (await gqlData(server.url, `{ runs(filter: { published: false }) { totalCount } }`)).runs.totalCount;
    expect(after).toBe(before);
  }, 60_000);

  it("bad flags and values are usage errors (2)", async () => {
    const cases = [
      ["launch", "transfer", "--dataset", "DigiFace-mini"], // --method missing
      ["launch", "transfer", "--dataset", "DigiFace-mini", "--method", "CodeFormer-fixture", "--batch-size", "two"],
      ["launch", "transfer", "--dataset", "DigiFace-mini", "--method", "CodeFormer-fixture", "--fidelity-weight", "1.5"],
      ["launch", "transfer", "--dataset", "DigiFace-mini", "--method", "CodeFormer-fixture", "--no-such-flag"],
      ["launch", "teleport"],
      ["frobnicate"],
      ["runs", "--kind", "sleeping"],
      ["leaderboard", "--format", "pdf"],
      ["watch"],
    ];
    const results = await Promise.all(cases.map((args) => cli(args, env)));
    results.forEach((result, i) => {
      expect(result.code, `${cases[i]!.join(" ")}: ${describeResult(result)}`).toBe(2);
      expect(result.stderr).toMatch(/^error: /m);
    });
  }, 120_000);

  it("an error the API reports exits 1 with its message and code", async () => {
    const missing = await cli(["watch", "7d1c0f3e-0000-4000-8000-000000000000"], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/error: run "7d1c0f3e-0000-4000-8000-000000000000" does not exist \[NOT_FOUND\]/);
    // The output dataset's name is taken by the first transfer: the server refuses the launch.
    const taken = await cli(["launch", "transfer", "--dataset", "cli-watch", "--method", "CodeFormer-fixture", "--output-name", "cli-watch-cf"], env);
    expect(taken.code, describeResult(taken)).toBe(1);
    expect(taken.stderr).toMatch(/^error: .*\[(CONFLICT|BAD_USER_INPUT)/m);
  }, 60_000);

  it("an unreachable server exits 3", async () => {
    const port = await freePort();
    const result = await cli(["runs"], cliEnv(`http://127.0.0.1:${port}/graphql`));
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(new RegExp(`error: cannot reach http://127.0.0.1:${port}/graphql: ECONNREFUSED`));
  }, 30_000);
});
