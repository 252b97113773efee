// The slurm executor against a real one-node Slurm (slurm-cluster.ts): TRAIN runs
// launched through GraphQL (a pipeline, launchTraining; a transfer and an evaluation
// with their own executor and resources too) become Slurm jobs running
// src/run-one.ts; two run at once on the 2-GPU node while a third waits QUEUED with
// Slurm's reason (also in `runs show` and the dashboard's run page); progress, metrics
// and the job's output stream over graphql-ws; cancel scancels at once; an outside
// scancel, a time limit, a vanished job and an API restart mid-job are reconciled
// (ended jobs read from scontrol: accounting is off, so sacct is refused); a node
// failure re-queues while maxAttempts allows, then fails; 3 GPUs are refused at launch.
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../../src/app";
import { loadConfig, type AppConfig } from "../../src/config/config";
import { embeddingModelSpec } from "../../src/fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { writePairBenchmark } from "../evaluation/helpers";
import { gql, gqlData, subscribe, wsClient } from "../helpers/graphql-client";
import { setUpTransfer } from "../helpers/transfer-setup";
import { existsSync } from "node:fs";
import pg from "pg";
import { chromium } from "playwright-core";
import { ensureDashboardBuilt } from "../helpers/dashboard-build";
import { endedJobReader } from "../../src/executors/slurm/ended-job";
import { localSlurmAccess } from "../../src/executors/slurm/slurm-commands";
import { cli, cliEnv } from "../cli/helpers";
import { startSlurmCluster, slurmUnavailable, type SlurmCluster } from "./slurm-cluster";

const REPO = path.resolve(".");
const CHROMIUM = "/usr/bin/chromium";
const RUN_FIELDS = "id status error executor executorJobId executorNode executorReason resources progress { done total }";

let cluster: SlurmCluster | null = null;
let database: TestDatabase;
let dataRoot: string;
let holdDir: string;
let config: AppConfig;
let app: RunningApp;
let url: string;
let datasetId: string;
let trainerId: string;
let benchmarkPath: string;
let methodId: string;
const skip = !!slurmUnavailable() && process.env.CI !== "true";

beforeAll(async () => {
  cluster = await startSlurmCluster();
  if (!cluster) return;
  process.env.SLURM_CONF = cluster.conf; // the server's sbatch/squeue/... reach this cluster
  database = await createTestDatabase();
  dataRoot = await mkdtemp(path.join(os.tmpdir(), "realismlab-slurm-data-"));
  holdDir = await mkdtemp(path.join(os.tmpdir(), "realismlab-slurm-hold-"));
  config = loadConfig({
    DATABASE_URL: database.url,
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_ROOTS: dataRoot,
    WORKER_IN_PROCESS: "false",
    AUTH_REQUIRED: "false",
    HEARTBEAT_INTERVAL_MS: "500",
    TRAINER_KILL_GRACE_MS: "500",
    EXECUTOR_TRAIN: "slurm",
    RESOURCES_TRAIN: JSON.stringify({ gpus: 1, cpus: 1, memoryGb: 0.25 }),
    SLURM_WORK_DIR: path.join(cluster.dir, "jobs"),
    SLURM_POLL_MS: "500",
  });
  app = await startApp(config);
  url = app.http.graphqlUrl;
  // Jobs report to this URL (API_URL): a restarted API must come back on the same port.
  config = { ...config, PORT: Number(new URL(url).port) };
  const setup = await setUpTransfer(url, dataRoot, { identities: 2, imagesPerIdentity: 1 });
  datasetId = setup.datasetId;
  methodId = setup.methodId;
  benchmarkPath = (await writePairBenchmark(dataRoot, "lfw-mini", 40, 5)).path;
  const command = ["node", "--import", "tsx", path.join(REPO, "examples/trainer/train.ts"), "--data", "{datasetPath}", "--out", "{outputDir}", "--seed", "{seed}",
    "--epochs", "3", "--sleep-ms", "100", "--hold-while-exists", path.join(holdDir, "hold-{seed}")];
  trainerId = (await gqlData(url, `mutation($input: RegisterTrainerInput!) { registerTrainer(input: $input) { id } }`, {
    input: { name: "slurm-trainer", command, workingDirectory: REPO, modelOutput: "{outputDir}/model.onnx", inputSpec: embeddingModelSpec(), backbone: "IR50-fixture", head: "AdaFace" },
  })).registerTrainer.id;
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await database?.drop();
  await cluster?.stop();
  for (const dir of [dataRoot, holdDir]) if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

const PIPELINE = `mutation($input: LaunchPipelineInput!) { launchPipeline(input: $input) { id } }`;
const pipelineInput = (seeds: number[], trainResources: Record<string, unknown>) => ({
  sourceDatasetId: datasetId,
  trainerId,
  benchmarks: [{ name: "LFW", dataPath: benchmarkPath }],
  evaluationOptions: { allowNonStandardSize: true },
  repeats: seeds.length,
  seeds,
  includeBaseline: true,
  trainExecutor: "slurm",
  trainResources,
});

const hold = (seed: number) => writeFile(path.join(holdDir, `hold-${seed}`), "");
const release = (seed: number) => rm(path.join(holdDir, `hold-${seed}`), { force: true });

async function launch(seed: number, resources?: Record<string, unknown>, maxAttempts = 1) {
  const data = await gqlData(url, `mutation($d: ID!, $t: ID!, $s: Int, $r: RunResourcesInput, $m: Int) { launchTraining(datasetId: $d, trainerId: $t, seed: $s, resources: $r, maxAttempts: $m) { ${RUN_FIELDS} } }`,
    { d: datasetId, t: trainerId, s: seed, r: resources ?? null, m: maxAttempts });
  return data.launchTraining;
}

async function runOf(id: string) {
  return (await gqlData(url, `query($id: ID!) { run(id: $id) { ${RUN_FIELDS} } }`, { id })).run;
}

async function waitRun(id: string, until: (run: any) => boolean, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let run: any;
  while (Date.now() < deadline) {
    run = await runOf(id);
    if (until(run)) return run;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`run ${id} not ${what} in ${timeoutMs} ms; last: ${JSON.stringify(run)}; squeue: ${JSON.stringify(await cluster!.squeue())}`);
}

// A failed assertion must not leave a held job occupying a GPU for the next test.
afterEach(async () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 9, 10]) await release(seed);
});

/** Restarts the API with changed config (the cluster and the database stay). */
async function restartWith(changes: Partial<AppConfig>) {
  await app.stop();
  app = await startApp({ ...config, ...changes });
  url = app.http.graphqlUrl;
}

async function logOf(id: string): Promise<Array<{ stream: string; line: string }>> {
  return (await gqlData(url, `query($id: ID!) { run(id: $id) { logTail(lines: 200) { stream line } } }`, { id })).run.logTail;
}

async function waitLog(id: string, pattern: RegExp, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let lines: Array<{ stream: string; line: string }> = [];
  while (Date.now() < deadline) {
    lines = await logOf(id);
    const found = lines.find((l) => l.stream === "job" && pattern.test(l.line));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`run ${id}: no job output line ${what} in ${timeoutMs} ms; log: ${JSON.stringify(lines.slice(-20))}`);
}

const slurm = (command: string, args: string[]) => execFileSync(command, args, { env: { ...process.env, ...cluster!.env }, encoding: "utf8" });

async function jobGone(jobId: string) {
  const deadline = Date.now() + 30_000;
  while ((await cluster!.squeue()).some((job) => job.id === jobId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
}

/** The run page's facts (its <dt>/<dd> pairs) in a real Chromium; null where Chromium is missing (CI=true: a failure). */
async function runPageFacts(runId: string): Promise<Record<string, string> | null> {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI === "true") throw new Error(`CI=true but ${CHROMIUM} is missing`);
    console.warn(`dashboard check skipped: ${CHROMIUM} is missing`);
    return null;
  }
  ensureDashboardBuilt();
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
  try {
    const page = await browser.newPage();
    await page.goto(`${app.http.url}/runs/${runId}`);
    await page.locator("dt", { hasText: "Executor" }).waitFor({ timeout: 30_000 });
    const facts: Record<string, string> = {};
    const terms = page.locator("dt");
    for (let i = 0; i < (await terms.count()); i++) {
      facts[await terms.nth(i).innerText()] = await terms.nth(i).locator("xpath=following-sibling::dd[1]").innerText();
    }
    return facts;
  } finally {
    await browser.close();
  }
}

const ended = (run: any) => ["SUCCEEDED", "FAILED", "CANCELLED"].includes(run.status);

describe.skipIf(skip)("slurm executor on a real one-node Slurm", () => {
  let timeoutRunId: string;

  it("refuses 3 GPUs on a 2-GPU cluster at launch, naming the field", async () => {
    const response = await gql(url, `mutation($d: ID!, $t: ID!) { launchTraining(datasetId: $d, trainerId: $t, seed: 1, resources: { gpus: 3 }) { id } }`, { d: datasetId, t: trainerId });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "resources.gpus" });
    expect(response.errors?.[0]?.message).toMatch(/asks 3 GPUs; the largest node of partition gpu has 2/);
    const unknownPartition = await gql(url, `mutation($d: ID!, $t: ID!) { launchTraining(datasetId: $d, trainerId: $t, seed: 1, resources: { partition: "nope" }) { id } }`, { d: datasetId, t: trainerId });
    expect(unknownPartition.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "resources.partition" });
    const viaCli = await cli(["launch", "train", "--dataset", datasetId, "--trainer", trainerId, "--executor", "slurm", "--gpus", "3", "--time", "30"], cliEnv(url));
    expect(viaCli.code).toBe(1);
    expect(viaCli.stderr).toMatch(/resources\.gpus: asks 3 GPUs/);
    // Started now (no GPU, a 1-minute limit) so its time runs out while the next tests run.
    await hold(90);
    timeoutRunId = (await launch(90, { gpus: 0, timeLimit: "1" })).id;
  });

  it("a pipeline's TRAIN steps go to Slurm with gpus: 1: two run at once, the third waits QUEUED with Slurm's reason; progress, metrics and job output stream", async () => {
    for (const seed of [1, 2, 3]) await hold(seed);
    const trainResources = { gpus: 1, cpus: 1, memoryGb: 0.3 };
    const refused = await gql(url, PIPELINE, { input: pipelineInput([1, 2, 3], { ...trainResources, gpus: 3 }) });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "trainResources.gpus" });
    expect(refused.errors?.[0]?.message).toMatch(/^trainResources\.gpus: asks 3 GPUs; the largest node of partition gpu has 2/);
    const [pipeline] = (await gqlData(url, PIPELINE, { input: pipelineInput([1, 2, 3], trainResources) })).launchPipeline;
    const trains = async () =>
      (await gqlData(url, `query($id: ID!) { pipeline(id: $id) { runs { seed kind ${RUN_FIELDS} } } }`, { id: pipeline.id })).pipeline.runs.filter((r: any) => r.kind === "TRAIN");
    const launched = await trains();
    expect(launched).toHaveLength(3);
    for (const run of launched) expect(run).toMatchObject({ executor: "slurm", resources: trainResources });
    const client = wsClient(app.http.wsUrl);
    const watch = (run: any) => ({
      progress: subscribe(client, `subscription($id: ID!) { runProgress(runId: $id) { done total } }`, { id: run.id }),
      metrics: subscribe(client, `subscription($id: ID!) { metricLogged(runId: $id) { names count } }`, { id: run.id }),
      log: subscribe(client, `subscription($id: ID!) { runLog(runId: $id) { lines { stream line } } }`, { id: run.id }),
    });
    const watched = new Map<string, ReturnType<typeof watch>>(launched.map((run: any) => [run.id, watch(run)]));
    // Two RUNNING on the node, the third QUEUED with Slurm's reason (held until one of them ends).
    let split: { running: any[]; pending: any[] } = { running: [], pending: [] };
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const runs = await trains();
      split = { running: runs.filter((r: any) => r.status === "RUNNING" && r.executorNode), pending: runs.filter((r: any) => r.status === "QUEUED" && /^PENDING \(Resources\)/.test(r.executorReason ?? "")) };
      if (split.running.length === 2 && split.pending.length === 1) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(split.running.map((r) => r.executorNode), JSON.stringify(await trains())).toEqual([cluster!.node, cluster!.node]);
    expect(split.pending).toHaveLength(1);
    const [first, second] = split.running;
    const third = split.pending[0];
    const streams = watched.get(first.id)!;
    await streams.progress.next((e: any) => e.runProgress.done === 3, 60_000).catch((error) => {
      throw new Error(`${error.message}; subscription failure: ${JSON.stringify(streams.progress.failure)}`);
    });
    await streams.metrics.next((e: any) => e.metricLogged.names.includes("train_loss"), 60_000);
    // The job's output file reaches the run log while it runs: over the subscription and the query.
    const jobLine = new RegExp(`^realismlab: Slurm job ${first.executorJobId} of run ${first.id} on `);
    await streams.log.next((e: any) => e.runLog.lines.some((l: any) => l.stream === "job" && jobLine.test(l.line)), 30_000);
    await waitLog(first.id, jobLine, "naming the job while it runs");
    // The CLI's table says where each run is (all three are held in place meanwhile).
    const listed = await cli(["runs", "--kind", "TRAIN", "--status", "queued,running"], cliEnv(url));
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`slurm job ${first.executorJobId} on ${cluster!.node} (RUNNING)`);
    expect(listed.stdout).toMatch(/slurm job \d+ \(PENDING \(Resources\)\)/);
    expect((await runOf(third.id)).status).toBe("QUEUED");
    const pendingShown = await cli(["runs", "show", third.id], cliEnv(url));
    expect(pendingShown.code, pendingShown.stderr).toBe(0);
    expect(pendingShown.stdout).toMatch(/^Executor +slurm$/m);
    expect(pendingShown.stdout).toMatch(new RegExp(`^Job +${third.executorJobId}$`, "m"));
    expect(pendingShown.stdout).toMatch(/^Reason +PENDING \(Resources\)$/m);
    expect(pendingShown.stdout).toMatch(/^Resources +gpus=1 cpus=1 memoryGb=0.3$/m);
    // The dashboard's run page says the same.
    const page = await runPageFacts(third.id);
    if (page) expect(page).toMatchObject({ Executor: "slurm", Job: third.executorJobId, Node: "—", Reason: "PENDING (Resources)" });
    await release(first.seed);
    expect((await waitRun(first.id, ended, "ended")).status).toBe("SUCCEEDED");
    // ...and after it ended: the batch script's last line.
    await waitLog(first.id, /^realismlab: run-one exited with status 0$/, "after the job ended");
    const endedShown = await cli(["runs", "show", first.id, "--log", "200"], cliEnv(url));
    expect(endedShown.stdout).toMatch(/^Status +SUCCEEDED$/m);
    expect(endedShown.stdout).toMatch(new RegExp(`^Node +${cluster!.node}$`, "m"));
    expect(endedShown.stdout).toContain("  [job] realismlab: run-one exited with status 0");
    await waitRun(third.id, (run) => run.status === "RUNNING", "RUNNING after a GPU freed");
    await release(second.seed);
    await release(third.seed);
    for (const run of [second, third]) expect((await waitRun(run.id, ended, "ended")).status).toBe("SUCCEEDED");
    await client.dispose();
    // The evaluations queued next go to the local queue (no worker here): the pipeline is stopped.
    await gqlData(url, `mutation($id: ID!) { cancelPipeline(id: $id) { status } }`, { id: pipeline.id });
  }, 180_000);

  it("launchTransfer and launchEvaluation take executor and resources too: refused at launch, else run on Slurm", async () => {
    const transfer = `mutation($d: ID!, $m: ID!, $o: LaunchTransferOptions, $r: RunResourcesInput) {
      launchTransfer(datasetId: $d, methodId: $m, options: $o, executor: "slurm", resources: $r) { ${RUN_FIELDS} } }`;
    const tooMany = await gql(url, transfer, { d: datasetId, m: methodId, o: { outputName: "slurm-refused" }, r: { gpus: 3 } });
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "resources.gpus" });
    const viaCli = await cli(["launch", "transfer", "--dataset", datasetId, "--method", methodId, "--executor", "slurm", "--partition", "nope"], cliEnv(url));
    expect(viaCli.code).toBe(1);
    expect(viaCli.stderr).toMatch(/resources\.partition: no Slurm partition "nope"; there are gpu/);
    const launched = (await gqlData(url, transfer, { d: datasetId, m: methodId, o: { outputName: "slurm-transfer", batchSize: 2 }, r: { gpus: 0, cpus: 1, memoryGb: 1 } })).launchTransfer;
    expect(launched).toMatchObject({ status: "QUEUED", executor: "slurm", resources: { gpus: 0, cpus: 1, memoryGb: 1 } });
    const transferred = await waitRun(launched.id, ended, "ended", 90_000);
    expect(transferred, transferred.error).toMatchObject({ status: "SUCCEEDED", executorNode: cluster!.node });

    const [model] = (await gqlData(url, `{ faceModels { id } }`)).faceModels;
    const evaluate = `mutation($input: LaunchEvaluationInput!) { launchEvaluation(input: $input) { ${RUN_FIELDS} } }`;
    const input = (resources: Record<string, unknown>) => ({ faceModelIds: [model.id], benchmarks: [{ name: "LFW", dataPath: benchmarkPath }], options: { allowNonStandardSize: true }, executor: "slurm", resources });
    const refused = await gql(url, evaluate, { input: input({ gpus: 3 }) });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "resources.gpus" });
    const [evaluation] = (await gqlData(url, evaluate, { input: input({ gpus: 0, cpus: 1, memoryGb: 1 }) })).launchEvaluation;
    expect(evaluation).toMatchObject({ executor: "slurm", resources: { gpus: 0, cpus: 1, memoryGb: 1 } });
    const evaluated = await waitRun(evaluation.id, ended, "ended", 90_000);
    expect(evaluated, evaluated.error).toMatchObject({ status: "SUCCEEDED", executorNode: cluster!.node });
  }, 200_000);

  it("cancelRun scancels the job at once: CANCELLED, and the job leaves the queue", async () => {
    // The reconciler's poll pushed out of the way: only cancelRun itself can stop the job here.
    await restartWith({ SLURM_POLL_MS: 600_000 });
    await hold(4);
    const run = await launch(4);
    const running = await waitRun(run.id, (r) => r.status === "RUNNING" && r.executorJobId, "RUNNING");
    await gqlData(url, `mutation($id: ID!) { cancelRun(id: $id) { status } }`, { id: run.id });
    const right = (await cluster!.squeue()).find((job) => job.id === running.executorJobId);
    expect(right?.state ?? "gone", "the job right after cancelRun").not.toMatch(/^(RUNNING|PENDING)$/);
    const cancelled = await runOf(run.id);
    expect(cancelled).toMatchObject({ status: "CANCELLED", executorReason: "CANCELLED (scancel by RealismLab)" });
    const deadline = Date.now() + 30_000;
    while ((await cluster!.squeue()).some((job) => job.id === running.executorJobId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect((await cluster!.squeue()).map((job) => job.id)).not.toContain(running.executorJobId);
    expect((await runOf(run.id)).status).toBe("CANCELLED");
    await release(4);
    await restartWith({});
  }, 90_000);

  it("a job scancelled outside RealismLab FAILS with Slurm's reason", async () => {
    await hold(5);
    const run = await launch(5);
    const running = await waitRun(run.id, (r) => r.status === "RUNNING", "RUNNING");
    execFileSync("scancel", [running.executorJobId], { env: { ...process.env, ...cluster!.env } });
    const failed = await waitRun(run.id, ended, "ended");
    expect(failed.status).toBe("FAILED");
    expect(failed.error).toMatch(new RegExp(`Slurm job ${running.executorJobId} ended CANCELLED.*cancelled outside RealismLab`));
    await release(5);
  }, 90_000);

  it("reconciles on start: a job killed while the API was down FAILS after the restart", async () => {
    await hold(6);
    const run = await launch(6);
    const running = await waitRun(run.id, (r) => r.status === "RUNNING", "RUNNING");
    await app.stop();
    execFileSync("scancel", [running.executorJobId], { env: { ...process.env, ...cluster!.env } });
    const deadline = Date.now() + 30_000;
    while ((await cluster!.squeue()).some((job) => job.id === running.executorJobId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    app = await startApp(config);
    url = app.http.graphqlUrl;
    const failed = await waitRun(run.id, ended, "reconciled");
    expect(failed.status).toBe("FAILED");
    expect(failed.error).toMatch(/ended CANCELLED/);
    await release(6);
  }, 120_000);

  it("fails with the reason when the nodes do not see the repository, or sbatch refuses the job", async () => {
    const notShared = await mkdtemp(path.join(os.tmpdir(), "realismlab-not-shared-"));
    try {
      await restartWith({ SLURM_REPO_DIR: notShared });
      const invisible = await waitRun((await launch(7)).id, ended, "ended");
      expect(invisible.status).toBe("FAILED");
      expect(invisible.error).toMatch(/ended FAILED[\s\S]*the repository .* is not visible on .*: the cluster must share this filesystem path with the server/);
      await restartWith({ SLURM_EXTRA_SBATCH: ["--constraint=no-such-feature"] });
      const refused = await waitRun((await launch(8)).id, ended, "ended");
      expect(refused.status).toBe("FAILED");
      expect(refused.error).toMatch(/^sbatch refused the job: sbatch: error: .*feature/i);
      expect(refused.executorJobId).toBeNull();
    } finally {
      await restartWith({});
      await rm(notShared, { recursive: true, force: true });
    }
  }, 120_000);

  it("a job that vanished from Slurm FAILS the run", async () => {
    await hold(10);
    const run = await launch(10);
    const running = await waitRun(run.id, (r) => r.status === "RUNNING" && r.executorJobId, "RUNNING");
    await app.stop();
    slurm("scancel", [running.executorJobId]);
    await jobGone(running.executorJobId);
    // A job id the controller does not know (its state was lost, or it forgot the job).
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    await db.query(`UPDATE run SET executor_job_id = '99999999' WHERE id = $1`, [run.id]);
    await db.end();
    app = await startApp(config);
    url = app.http.graphqlUrl;
    const failed = await waitRun(run.id, ended, "failed");
    expect(failed).toMatchObject({ status: "FAILED", executorReason: "vanished" });
    expect(failed.error).toMatch(/^Slurm job 99999999 vanished from the queue; job output ends:\n/);
  }, 90_000);

  it("reads an ended job from scontrol where the cluster keeps no accounting (sacct refused)", async () => {
    const jobId = slurm("sbatch", ["--parsable", "--no-requeue", `--output=${path.join(cluster!.dir, "jobs", "exit3.out")}`, "--wrap", "exit 3"]).trim().split(";")[0]!;
    await jobGone(jobId);
    const logs: string[] = [];
    const reader = endedJobReader(localSlurmAccess(), (line) => logs.push(line));
    expect(await reader.read(jobId)).toEqual({ state: "FAILED", reason: "NonZeroExitCode, exit 3:0", node: cluster!.node, source: "scontrol" });
    expect(logs).toEqual([expect.stringMatching(/^sacct unusable, reading ended jobs from scontrol: .*accounting storage is disabled/i)]);
    expect(await reader.read("99999999")).toBeNull();
    expect(logs).toHaveLength(1); // sacct is not asked again
  }, 60_000);

  it("a job over its time limit FAILS with TIMEOUT", async () => {
    const failed = await waitRun(timeoutRunId, ended, "ended by its time limit", 180_000);
    expect(failed.status).toBe("FAILED");
    expect(failed.error).toMatch(/ended TIMEOUT/);
    await release(90);
  }, 200_000);

  // Last: taking the node down ends every job on it (the time-limit run would die of it too).
  it("node failure: re-queued as a new job while maxAttempts allows, then FAILED with Slurm's reason", async () => {
    const node = cluster!.node;
    const nodeState = () => slurm("sinfo", ["-h", "-n", node, "-o", "%t"]).trim();
    const resume = async () => {
      if (/down|drain/.test(nodeState())) slurm("scontrol", ["update", `nodename=${node}`, "state=resume"]);
      const deadline = Date.now() + 30_000;
      while (!/^(idle|mix|alloc)/.test(nodeState()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    };
    await hold(9);
    try {
      const run = await launch(9, undefined, 2);
      const first = await waitRun(run.id, (r) => r.status === "RUNNING" && r.executorJobId, "RUNNING");
      slurm("scontrol", ["update", `nodename=${node}`, "state=down", "reason=realismlab-test-node-failure"]);
      const requeued = await waitRun(run.id, (r) => /^\d+$/.test(r.executorJobId ?? "") && r.executorJobId !== first.executorJobId, "submitted again");
      expect(requeued.status).toBe("QUEUED");
      const why = (await logOf(run.id)).find((l) => l.stream === "system" && /re-queued/.test(l.line));
      expect(why?.line).toMatch(new RegExp(`^Slurm job ${first.executorJobId} ended NODE_FAIL.*; re-queued \\(attempt 1 of 2\\)$`));
      await resume();
      const second = await waitRun(run.id, (r) => r.status === "RUNNING" && r.executorJobId === requeued.executorJobId, "RUNNING again");
      // The second failure spends the last attempt.
      slurm("scontrol", ["update", `nodename=${node}`, "state=down", "reason=realismlab-test-node-failure"]);
      const failed = await waitRun(run.id, ended, "failed");
      expect(failed.status).toBe("FAILED");
      expect(failed.error).toMatch(new RegExp(`^Slurm job ${second.executorJobId} ended NODE_FAIL`));
    } finally {
      await resume();
    }
  }, 150_000);
});

it.runIf(skip)("skips the Slurm tests where the packages are missing", () => {
  expect(slurmUnavailable()).toMatch(/Slurm test cluster skipped/);
});
