// The README's walkthrough, step by step, with the CLI alone (the `realismlab` binary
// and `npm run fixtures`) against a real server with auth on: fixtures -> register ->
// transfer -> train -> evaluate -> pipeline -> leaderboard. The paper's CodeFormer
// gets the fixture model, so our CodeFormer rows sit beside the paper's and Table 1's
// measured column fills.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gqlData } from "../helpers/graphql-client";
import { startChild } from "../helpers/process";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { cli, cliEnv, describeResult, ids, UUID } from "./helpers";

const REPO = path.resolve(".");
let server: TestServer;
let env: Record<string, string>;
let F: string;

/** `realismlab ...` that must succeed; returns its result. */
async function ok(args: string[], timeoutMs = 120_000) {
  const result = await cli(args, env, timeoutMs);
  expect(result.code, `realismlab ${args.join(" ")}\n${describeResult(result)}`).toBe(0);
  return result;
}

beforeAll(async () => {
  server = await startTestServer({ AUTH_REQUIRED: "true", WORKER_IN_PROCESS: "true", WORKER_CONCURRENCY: "3", HEARTBEAT_INTERVAL_MS: "300" });
  // `npm start` prints the first ADMIN token; here the test makes it.
  const { secret } = await server.app.services.auth.createToken({ name: "walkthrough", scopes: ["ADMIN"] });
  env = cliEnv(server.url, { REALISMLAB_TOKEN: secret });
}, 120_000);
afterAll(() => server?.close());

describe("README walkthrough with the CLI alone", () => {
  it("fixtures -> register -> transfer -> train -> evaluate -> pipeline -> leaderboard", async () => {
    // 1. npm run fixtures (into the first data root, as the server is configured).
    const loader = pathToFileURL(path.join(REPO, "node_modules/tsx/dist/loader.mjs")).href;
    const fixtures = startChild(process.execPath, ["--import", loader, "scripts/fixtures/build-fixtures.ts"], { DATA_ROOTS: server.dataRoot, DATABASE_URL: "" });
    expect(await fixtures.exited(), fixtures.output()).toBe(0);
    F = path.join(server.dataRoot, "fixtures");
    expect(fixtures.output()).toContain(`fixtures written to ${F}`);

    // 2. Register: a dataset, a model for the paper's CodeFormer, a trainer.
    const registered = await ok(["datasets", "register", "--name", "DigiFace-mini", "--folder", path.join(F, "datasets/digiface-mini")]);
    expect(ids(registered)[0]).toMatch(UUID);
    const before = await ok(["methods", "list"]);
    expect(before.stdout).toMatch(/CodeFormer\s+FACE_RESTORATION\s+0\.41\s+\{"fidelityWeight":0\.5\}\s+- \(attach one/);
    await ok(["methods", "attach-model", "CodeFormer", "--model", path.join(F, "models/codeformer-like.onnx")]);
    const after = await ok(["methods", "list"]);
    expect(after.stdout).toContain(path.join(F, "models/codeformer-like.onnx"));
    await ok([
      "trainers", "register", "--name", "example-trainer",
      "--command-line", "node --import tsx examples/trainer/train.ts --data {datasetPath} --out {outputDir} --seed {seed} --epochs {param.epochs} --sleep-ms 10",
      "--spec", path.join(F, "models/embedding-single.spec.json"), "--backbone", "IR50-fixture", "--head", "AdaFace", "--param", "epochs=2",
    ]);
    expect((await ok(["trainers", "list"])).stdout).toMatch(/example-trainer\s+IR50-fixture \+ AdaFace\s+\{"epochs":2\}/);
    expect((await ok(["datasets", "list"])).stdout).toMatch(/DigiFace-mini\s+SYNTHETIC/);

    // 3. Transfer with the paper's CodeFormer.
    const transfer = await ok(["launch", "transfer", "--dataset", "DigiFace-mini", "--method", "CodeFormer", "--fidelity-weight", "0.7", "--output-name", "DigiFace-mini-CF", "--watch"]);
    expect(transfer.stderr).toContain("SUCCEEDED");
    // Table 1 in the CLI: CodeFormer's measured seconds per image beside the paper's 0.41.
    expect((await ok(["methods", "list"])).stdout).toMatch(/CodeFormer\s+FACE_RESTORATION\s+0\.41\s+[0-9.e+-]+ \([^)]+, n=1\)/);
    expect((await ok(["datasets", "list", "--kind", "realism_transferred"])).stdout).toMatch(/DigiFace-mini-CF\s+REALISM_TRANSFERRED\s+DigiFace-mini \+ CodeFormer\s+48/);

    // 4. Train on the transferred dataset; its model shows up in `models list`.
    const trained = await ok(["launch", "train", "--dataset", "DigiFace-mini-CF", "--trainer", "example-trainer", "--seed", "1", "--watch"]);
    const trainRun = ids(trained)[0]!;
    const models = JSON.parse((await ok(["models", "list", "--json"])).stdout);
    const model = models.find((m: any) => m.producedByRun?.id === trainRun);
    expect(model).toMatchObject({ trainedOn: { name: "DigiFace-mini-CF" }, backbone: "IR50-fixture" });

    // 5. Evaluate it on the fixture LFW-format benchmark.
    const benchmark = `LFW=${path.join(F, "benchmarks/lfw-mini.bin")}`;
    const evaluated = await ok(["launch", "evaluate", "--model", model.name, "--benchmark", benchmark, "--allow-non-standard-size", "--watch"]);
    const evaluation = ids(evaluated)[0]!;

    // Tags and notes on the finished run, and the runs list filtered by tag.
    await ok(["tag", evaluation, "--add", "walkthrough,first"]);
    await ok(["note", evaluation, "--text", "fixture models: numbers mean nothing"]);
    const tagged = JSON.parse((await ok(["runs", "--tag", "walkthrough", "--json"])).stdout);
    expect(tagged.nodes.map((r: any) => [r.id, r.tags])).toEqual([[evaluation, ["walkthrough", "first"]]]);

    // 6. The whole experiment as one pipeline, with the untransferred baseline.
    const pipeline = await ok(
      ["launch", "pipeline", "--dataset", "DigiFace-mini", "--method", "CodeFormer", "--trainer", "example-trainer", "--benchmark", benchmark,
        "--allow-non-standard-size", "--repeats", "2", "--seeds", "1,2", "--baseline", "--watch"],
      240_000,
    );
    expect(ids(pipeline)).toHaveLength(2);

    // 7. Leaderboard: our CodeFormer rows beside the paper's CodeFormer row.
    const leaderboard = async () => JSON.parse((await ok(["leaderboard", "--benchmark", "LFW", "--method", "CodeFormer", "--json"])).stdout);
    const board = await leaderboard();
    // --method CodeFormer: every row is a CodeFormer row; the paper's and ours (the single evaluation, the pipeline's group of 2).
    expect(board.rows.filter((r: any) => r.published)).toHaveLength(1);
    const ownRuns = (b: any) => b.rows.filter((r: any) => !r.published).map((r: any) => r.runCount).sort();
    expect(ownRuns(board)).toEqual([1, 2]);
    const table = await ok(["leaderboard", "--benchmark", "LFW", "--method", "CodeFormer"]);
    expect(table.stdout).toContain("CodeFormer");

    // Table 1: CodeFormer's measured seconds per image beside the paper's 0.41 s.
    const timings = await gqlData(server.url, `{ transferMethodTimings(methods: ["CodeFormer"]) { publishedSecondsPerImage measured { runs secondsPerImage } } }`);
    expect(timings.transferMethodTimings[0].publishedSecondsPerImage).toBe(0.41);
    expect(timings.transferMethodTimings[0].measured[0].runs).toBeGreaterThanOrEqual(2);

    // Archive the first evaluation: gone from the leaderboard, back after restore.
    await ok(["archive", "run", evaluation]);
    expect(ownRuns(await leaderboard())).toEqual([2]);
    expect(JSON.parse((await ok(["runs", "--archived", "--json"])).stdout).nodes.map((r: any) => r.id)).toEqual([evaluation]);
    await ok(["restore", "run", evaluation]);
    expect(ownRuns(await leaderboard())).toEqual([1, 2]);
  }, 600_000);

  it("explains what is wrong before sending anything", async () => {
    const noSpec = await cli(["methods", "attach-model", "VSAIT", "--model", path.join(server.dataRoot, "nowhere.onnx")], env);
    expect(noSpec.code).toBe(2);
    expect(noSpec.stderr).toContain("missing --spec FILE (no nowhere.spec.json beside the model)");
    const unknown = await cli(["datasets", "set-folder", "DigiFace-2M", "--folder", "/tmp"], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no dataset is named "DigiFace-2M".*DigiFace1M/);
    const outside = await cli(["datasets", "set-folder", "DigiFace1M", "--folder", "/tmp"], env);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toContain("outside the data roots");
    const both = await cli(["trainers", "register", "--name", "x", "--spec", "s.json", "--backbone", "b", "--head", "h"], env);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("give --command-line CMD or --arg ARG");
    const anonymous = await cli(["archive", "dataset", "FFHQ"], cliEnv(server.url));
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain("UNAUTHENTICATED");
    expect((await ok(["datasets", "list"])).stdout).toContain("FFHQ");
  }, 60_000);
});
