// A remote job (src/run-one.ts, what a Slurm job runs) against a running server with
// auth on, given only API_URL, the run's token and the data roots: no DATABASE_URL in
// its environment. It claims, heartbeats, streams logs and metrics, runs the trainer with
// its (secret) environment, and finishes real runs whose metrics, dataset and face model
// are then visible through GraphQL. Its token is refused for any other run, and dies
// with the run. A data path the node cannot see fails the run saying it is not shared.
import { spawn } from "node:child_process";
import { rename } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDemoFixtures, buildFaceDataset, embeddingModelSpec, type DemoFixtures } from "../../src/fixtures";
import { runTokenMinter } from "../../src/services/auth-service";
import { gql, gqlData, subscribe, wsClient } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { LAUNCH } from "../helpers/transfer-setup";

const REPO = path.resolve(".");
let server: TestServer;
let admin: string;
let fixtures: DemoFixtures;
let datasetId: string;
let methodId: string;
let trainerId: string;
let mint: (runId: string) => Promise<string>;

beforeAll(async () => {
  server = await startTestServer({ AUTH_REQUIRED: "true", HEARTBEAT_INTERVAL_MS: "300" });
  admin = (await server.app.services.auth.createToken({ name: "admin", scopes: ["ADMIN"] })).secret;
  mint = runTokenMinter(server.app.services.auth, 1); // what the slurm executor hands its jobs
  fixtures = await buildDemoFixtures(path.join(server.dataRoot, "fixtures"), { modelSize: 64, identities: 2, imagesPerIdentity: 2 });
  datasetId = await createDataset("DigiFace-mini", fixtures.dataset.dir);
  methodId = (await gqlData(server.url, `mutation($input: RegisterTransferMethodInput!) { registerTransferMethod(input: $input) { id } }`, {
    input: { name: "CodeFormer-fixture", family: "FACE_RESTORATION", modelPath: fixtures.models.codeformerLike.path, inputSpec: fixtures.models.codeformerLike.spec },
  }, admin)).registerTransferMethod.id;
  // The trainer echoes a secret variable of its registration, then runs the example trainer.
  const command = ["sh", "-c", 'echo "secret=$TRAINER_SECRET"; exec "$@"', "sh", "node", "--import", "tsx", path.join(REPO, "examples/trainer/train.ts"),
    "--data", "{datasetPath}", "--out", "{outputDir}", "--seed", "{seed}", "--epochs", "3", "--sleep-ms", "20", "--api-metrics"];
  trainerId = (await gqlData(server.url, `mutation($input: RegisterTrainerInput!) { registerTrainer(input: $input) { id } }`, {
    input: { name: "remote-trainer", command, workingDirectory: REPO, environment: { TRAINER_SECRET: "s3cret" }, modelOutput: "{outputDir}/model.onnx",
      inputSpec: embeddingModelSpec(), backbone: "IR50-fixture", head: "AdaFace" },
  }, admin)).registerTrainer.id;
}, 120_000);
afterAll(() => server?.close());

async function createDataset(name: string, dir: string): Promise<string> {
  return (await gqlData(server.url, `mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }`, {
    input: { name, kind: "SYNTHETIC", requirement: "NONE", uri: dir },
  }, admin)).createDataset.id;
}

/** Runs src/run-one.ts with exactly these variables (nothing inherited: no DATABASE_URL). */
function runOne(runId: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/run-one.ts", runId], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, output })));
}

const jobEnv = (token: string) => ({ API_URL: server.url, REALISMLAB_RUN_TOKEN: token, DATA_ROOTS: server.dataRoot, HEARTBEAT_INTERVAL_MS: "300", SYSTEM_METRICS_INTERVAL_MS: "0" });

const RUN = `query($id: ID!) { run(id: $id) { status error worker device
  metrics { name value step } metricHistory(name: "train_loss") { step value }
  lineage { outputDataset { name kind imageCount sourceDataset { name } } outputFaceModel { name backbone modelPath } }
  logTail(lines: 200) { stream line } auditEvents { action actor } } }`;

describe("run-one through the API with the run token", () => {
  it("refuses to start without the run token, naming the variable", async () => {
    const { code, output } = await runOne("00000000-0000-4000-8000-000000000000", { API_URL: server.url, DATA_ROOTS: server.dataRoot });
    expect(code).toBe(1);
    expect(output).toMatch(/REALISMLAB_RUN_TOKEN: run-one needs the run's token/);
  });

  it("finishes a TRANSFER: metrics, output dataset and metricLogged, visible through GraphQL", async () => {
    const run = (await gqlData(server.url, LAUNCH, { datasetId, methodId, options: { outputName: "remote-out" } }, admin)).launchTransfer;
    expect(run.status).toBe("QUEUED");
    const client = wsClient(server.wsUrl);
    const metricEvents = subscribe(client, `subscription($id: ID!) { metricLogged(runId: $id) { names } }`, { id: run.id });
    const progress = subscribe(client, `subscription($id: ID!) { runProgress(runId: $id) { done total } }`, { id: run.id });
    await new Promise((r) => setTimeout(r, 300));
    const token = await mint(run.id);

    const { code, output } = await runOne(run.id, jobEnv(token));
    expect(output).toMatch(new RegExp(`run-one ${run.id}: SUCCEEDED`));
    expect(code).toBe(0);
    const state = (await gqlData(server.url, RUN, { id: run.id })).run;
    expect(state.status).toBe("SUCCEEDED");
    expect(state.worker).toMatch(/:\d+$/);
    expect(state.lineage.outputDataset).toMatchObject({ name: "remote-out", kind: "REALISM_TRANSFERRED", imageCount: 4, sourceDataset: { name: "DigiFace-mini" } });
    expect(state.metrics.map((m: any) => m.name).sort()).toEqual(["images_per_second", "seconds_per_image"]);
    // Claimed and finished by the run's own token, as the audit trail shows.
    expect(state.auditEvents).toEqual(expect.arrayContaining([{ action: "claimRun", actor: `run ${run.id}` }, { action: "finish", actor: `run ${run.id}` }]));
    expect((await metricEvents.next(() => true, 10_000)).metricLogged.names).toContain("seconds_per_image");
    expect((await progress.next((e: any) => e.runProgress.done === 4, 10_000)).runProgress.total).toBe(4);
    await client.dispose();
    // The token ended with its run.
    const late = await gql(server.url, `mutation($id: ID!) { heartbeatRun(runId: $id) }`, { id: run.id }, token);
    expect(late.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  }, 120_000);

  it("runs a TRAIN run's trainer with its secret environment, streams its log and metrics, and registers its model", async () => {
    const run = (await gqlData(server.url, `mutation($d: ID!, $t: ID!) { launchTraining(datasetId: $d, trainerId: $t, seed: 3) { id status } }`, { d: datasetId, t: trainerId }, admin)).launchTraining;
    const { code, output } = await runOne(run.id, jobEnv(await mint(run.id)));
    expect(output).toMatch(/SUCCEEDED/);
    expect(code).toBe(0);
    const state = (await gqlData(server.url, RUN, { id: run.id })).run;
    expect(state.status).toBe("SUCCEEDED");
    expect(state.logTail.map((l: any) => l.line)).toContain("secret=s3cret");
    expect(state.logTail.at(-1)).toEqual({ stream: "system", line: "trainer exited with code 0" });
    expect(state.metricHistory.map((p: any) => p.step)).toEqual([1, 2, 3]);
    expect(state.lineage.outputFaceModel).toMatchObject({ backbone: "IR50-fixture", modelPath: path.join(server.dataRoot, "models", run.id, "model.onnx") });
  }, 120_000);

  it("refuses a run token for any other run (claim, heartbeat, finish, fail)", async () => {
    const mine = (await gqlData(server.url, `mutation { createRun(input: { kind: EVALUATE, status: QUEUED, name: "mine" }) { id } }`, {}, admin)).createRun.id;
    const other = (await gqlData(server.url, `mutation { createRun(input: { kind: EVALUATE, status: RUNNING, name: "other" }) { id } }`, {}, admin)).createRun.id;
    const token = await mint(mine);
    const calls = [
      `mutation($id: ID!) { claimRun(runId: $id, worker: "w", device: "cpu") { attempt } }`,
      `mutation($id: ID!) { heartbeatRun(runId: $id) }`,
      `mutation($id: ID!) { finishRun(runId: $id, outcome: { metrics: [{ name: "accuracy", value: 1 }] }) { status } }`,
      `mutation($id: ID!) { failRun(runId: $id, error: "x") { status } }`,
      `mutation($id: ID!) { requeueRun(runId: $id, reason: "x") }`,
      `mutation($id: ID!) { appendRunLog(runId: $id, lines: [{ stream: "stdout", line: "x" }]) }`,
    ];
    for (const query of calls) {
      const answer = await gql(server.url, query, { id: other }, token);
      expect(answer.errors?.[0]?.extensions?.code, query).toBe("FORBIDDEN");
    }
    expect((await gqlData(server.url, `query($id: ID!) { run(id: $id) { status metrics { name } } }`, { id: other })).run).toEqual({ status: "RUNNING", metrics: [] });
    // Without any token these need WRITE.
    expect((await gql(server.url, calls[1]!, { id: mine })).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    // Its own run: claimed, with the (absent) trainer's environment null.
    const claimed = await gqlData(server.url, `mutation($id: ID!) { claimRun(runId: $id, worker: "w", device: "cpu") { attempt trainerEnvironment run { status } } }`, { id: mine }, token);
    expect(claimed.claimRun).toEqual({ attempt: 1, trainerEnvironment: null, run: { status: "RUNNING" } });
  });

  it("lets only the run's own token (or ADMIN) register a produced dataset or model through finishRun", async () => {
    const writer = (await server.app.services.auth.createToken({ name: "writer", scopes: ["WRITE"] })).secret;
    const run = (await gqlData(server.url, LAUNCH, { datasetId, methodId, options: { outputName: "not-by-writer" } }, admin)).launchTransfer;
    const token = await mint(run.id);
    await gqlData(server.url, `mutation($id: ID!) { claimRun(runId: $id, worker: "w", device: "cpu") { attempt } }`, { id: run.id }, token);
    const FINISH = `mutation($id: ID!, $outcome: RunOutcomeInput!) { finishRun(runId: $id, outcome: $outcome) { status } }`;
    const outcome = { metrics: [{ name: "seconds_per_image", value: 0.5 }], dataset: { name: "not-by-writer", uri: fixtures.dataset.dir, imageCount: 1, identityCount: 1 } };
    const refused = await gql(server.url, FINISH, { id: run.id, outcome }, writer);
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    // Its own token may, but only for the folder the launch chose.
    const elsewhere = await gql(server.url, FINISH, { id: run.id, outcome }, token);
    expect(elsewhere.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "outcome.dataset.uri" });
    const state = (await gqlData(server.url, RUN, { id: run.id })).run;
    expect(state).toMatchObject({ status: "RUNNING", metrics: [], lineage: { outputDataset: null } });
  });

  it("fails the run saying the cluster shares no filesystem path with the server when a data path is missing on the node", async () => {
    const dir = path.join(server.dataRoot, "only-on-server");
    await buildFaceDataset({ dir, identities: 1, imagesPerIdentity: 1, size: 112 });
    const id = await createDataset("only-on-server", dir);
    const run = (await gqlData(server.url, LAUNCH, { datasetId: id, methodId, options: { outputName: "never-written" } }, admin)).launchTransfer;
    await rename(dir, `${dir}.elsewhere`); // what the node sees: nothing at that path
    const { code } = await runOne(run.id, jobEnv(await mint(run.id)));
    expect(code).toBe(1);
    const state = (await gqlData(server.url, RUN, { id: run.id })).run;
    expect(state.status).toBe("FAILED");
    expect(state.error).toContain(`sourceDir: ${dir} does not exist on`);
    expect(state.error).toMatch(/the cluster shares no filesystem path with the server/);
    expect(state.lineage.outputDataset).toBeNull();
  }, 60_000);
});
