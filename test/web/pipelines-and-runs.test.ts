// The dashboard's pipelines page and run page in a real Chromium (Debian's /usr/bin/chromium
// via playwright-core) against a real server with an in-process worker, real transfers,
// the example trainer and real evaluations: a failed pipeline resumed from the page goes to
// SUCCEEDED live; a running one is cancelled from the page; a failed training shows the
// lines it printed (not the echoed command); the training-curve chart overlays a compared
// run and draws the group's mean ± std band; the log tail follows new lines unless the
// reader scrolled up. Screenshots go to test-output/dashboard/. Skipped without Chromium
// (a failure under CI=true), like test/web/dashboard.test.ts.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddingModelSpec } from "../../src/fixtures";
import { writePairBenchmark } from "../evaluation/helpers";
import { gql, gqlData } from "../helpers/graphql-client";
import { ensureDashboardBuilt } from "../helpers/dashboard-build";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { setUpTransfer, type TransferSetup } from "../helpers/transfer-setup";

const CHROMIUM = "/usr/bin/chromium";
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SHOTS = path.join(ROOT, "test-output", "dashboard");
const hasBrowser = existsSync(CHROMIUM);
const inCI = process.env.CI === "true";
const skip = !hasBrowser && !inCI;
if (skip) console.warn(`\n  SKIPPED: dashboard browser tests need Debian's Chromium at ${CHROMIUM}. In CI (CI=true) this is a failure.\n`);

let server: TestServer;
let setup: TransferSetup;
let base: string;
let context: BrowserContext;
let page: Page;
let profile: string;
let benchmarkPath: string;
const browserErrors: string[] = [];
const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

async function registerTrainer(name: string, extra: string[]) {
  const command = ["node", "--import", "tsx", path.join(ROOT, "examples/trainer/train.ts"), "--data", "{datasetPath}", "--out", "{outputDir}", "--seed", "{seed}", ...extra];
  const data = await gqlData(server.url, `mutation($input: RegisterTrainerInput!) { registerTrainer(input: $input) { id } }`, {
    input: { name, command, workingDirectory: ROOT, modelOutput: "{outputDir}/model.onnx", inputSpec: embeddingModelSpec(), backbone: "IR50-fixture", head: "AdaFace" },
  });
  return data.registerTrainer.id as string;
}

const LAUNCH = `mutation($input: LaunchPipelineInput!) { launchPipeline(input: $input) { id } }`;
const STATE = `query($id: ID!) { pipeline(id: $id) { status runs { id kind status seed } } }`;

async function waitForPipeline(id: string, done: (p: any) => boolean, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { pipeline } = await gqlData(server.url, STATE, { id });
    if (done(pipeline)) return pipeline;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`pipeline ${id}: ${JSON.stringify((await gqlData(server.url, STATE, { id })).pipeline)}`);
}

function pipelineInput(trainerId: string, outputName: string, extra: Record<string, unknown> = {}) {
  return {
    sourceDatasetId: setup.datasetId,
    methodId: setup.methodId,
    transferOptions: { batchSize: 2, outputName },
    trainerId,
    benchmarks: [{ name: "LFW", dataPath: benchmarkPath }],
    evaluationOptions: { allowNonStandardSize: true, batchSize: 16 },
    repeats: 2,
    seeds: [7, 8],
    ...extra,
  };
}

describe.skipIf(skip)(`pipelines page and run page in Chromium${skip ? ` (skipped: no ${CHROMIUM})` : ""}`, () => {
  let failedPipeline: string;
  let trainRuns: Array<{ id: string; seed: number }> = [];
  let failedTrainRun: string;

  beforeAll(async () => {
    if (!hasBrowser) throw new Error(`CI=true but ${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
    ensureDashboardBuilt();
    await mkdir(SHOTS, { recursive: true });
    server = await startTestServer({ WORKER_IN_PROCESS: "true", WORKER_CONCURRENCY: "1", HEARTBEAT_INTERVAL_MS: "300", TRAINER_KILL_GRACE_MS: "500" });
    base = server.app.http.url;
    setup = await setUpTransfer(server.url, server.dataRoot, { identities: 3, imagesPerIdentity: 2 });
    benchmarkPath = (await writePairBenchmark(server.dataRoot, "lfw-mini", 40, 5)).path;
    profile = await mkdtemp(path.join(os.tmpdir(), "realismlab-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(30_000);
    page.on("dialog", (dialog) => void dialog.accept());
    page.on("pageerror", (error) => browserErrors.push(`pageerror: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") browserErrors.push(`console: ${message.text()}`);
    });
    await context.route(/^(?!http:\/\/(127\.0\.0\.1|localhost)[:/]).*/, (route) => {
      browserErrors.push(`external request: ${route.request().url()}`);
      return route.abort();
    });
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it("shows a failed pipeline's steps and resumes it from the page, live to SUCCEEDED", async () => {
    const failFile = path.join(server.dataRoot, "fail-seed-8");
    await writeFile(failFile, "");
    const trainerId = await registerTrainer("web-resume-trainer", ["--epochs", "3", "--sleep-ms", "10", "--fail-if-exists", path.join(server.dataRoot, "fail-seed-{seed}")]);
    failedPipeline = (await gqlData(server.url, LAUNCH, { input: pipelineInput(trainerId, "web-resume-out") })).launchPipeline[0].id;
    const failed = await waitForPipeline(failedPipeline, (p) => p.status !== "RUNNING");
    expect(failed.status).toBe("FAILED");
    failedTrainRun = failed.runs.find((r: any) => r.kind === "TRAIN" && r.status === "FAILED").id;

    await page.goto(`${base}/pipelines`);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Pipelines", exact: true }).waitFor();
    const card = page.locator(`[data-pipeline-id="${failedPipeline}"]`);
    await expect.poll(() => card.getAttribute("data-status")).toBe("FAILED");
    await expect.poll(() => card.locator("[data-step='transfer']").getAttribute("data-status")).toBe("SUCCEEDED");
    await expect.poll(() => card.locator("[data-step='train:7']").getAttribute("data-status")).toBe("SUCCEEDED");
    await expect.poll(() => card.locator("[data-step='train:8']").getAttribute("data-status")).toBe("FAILED");
    expect(await card.locator(".pipeline-error").innerText()).toMatch(/TRAIN run .* FAILED/);
    expect(await card.getByRole("button", { name: "Cancel pipeline" }).count()).toBe(0);
    await shot("pipelines-failed");

    await rm(failFile);
    await card.getByRole("button", { name: "Resume" }).click();
    // No reload: pipelineUpdated (and the steps' runUpdated) move the card.
    await expect.poll(() => card.getAttribute("data-status"), { timeout: 90_000, interval: 200 }).toBe("SUCCEEDED");
    await expect.poll(() => card.locator("[data-step='train:8']").getAttribute("data-status")).toBe("SUCCEEDED");
    expect(await card.locator("[data-step='train:8']").innerText()).toMatch(/resumed/);
    await expect.poll(() => card.locator("[data-step^='evaluate:'][data-status='SUCCEEDED']").count()).toBe(2);
    expect(await card.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("100");
    await shot("pipelines-resumed");

    // The detail page lists the attempts a resume replaced.
    await card.locator("h2 a").click();
    await page.waitForURL(`${base}/pipelines/${failedPipeline}`);
    await expect.poll(() => page.locator("[data-step='train:8'] .superseded").innerText()).toMatch(/failed/);
    const { pipeline } = await gqlData(server.url, STATE, { id: failedPipeline });
    trainRuns = pipeline.runs.filter((r: any) => r.kind === "TRAIN" && r.status === "SUCCEEDED");
    expect(trainRuns.map((r) => r.seed).sort()).toEqual([7, 8]);
  }, 240_000);

  it("cancels a running pipeline from the page", async () => {
    const hold = path.join(server.dataRoot, "hold");
    await writeFile(hold, "");
    const trainerId = await registerTrainer("web-hold-trainer", ["--epochs", "2", "--sleep-ms", "10", "--hold-while-exists", hold]);
    await page.goto(`${base}/pipelines`);
    await page.locator("[data-pipeline-id]").first().waitFor();
    // Launched while the page is open: its card appears without a reload.
    const id = (await gqlData(server.url, LAUNCH, { input: pipelineInput(trainerId, "web-cancel-out", { repeats: 1, seeds: [1] }) })).launchPipeline[0].id;
    const card = page.locator(`[data-pipeline-id="${id}"]`);
    await card.waitFor({ timeout: 20_000 });
    await waitForPipeline(id, (p) => p.runs.some((r: any) => r.kind === "TRAIN" && r.status === "RUNNING"));
    await expect.poll(() => card.locator("[data-step='train:1']").getAttribute("data-status"), { timeout: 20_000 }).toBe("RUNNING");
    await expect.poll(() => card.getAttribute("data-status")).toBe("RUNNING");
    await card.getByRole("button", { name: "Cancel pipeline" }).click();
    await expect.poll(() => card.getAttribute("data-status"), { timeout: 20_000 }).toBe("CANCELLED");
    await expect.poll(() => card.locator("[data-step='train:1']").getAttribute("data-status")).toBe("CANCELLED");
    await card.getByRole("button", { name: "Resume" }).waitFor();
    await rm(hold);
  }, 120_000);

  it("shows a failed training's last printed lines, not the echoed command", async () => {
    await page.goto(`${base}/runs/${failedTrainRun}`);
    const failure = page.locator(".failure");
    await failure.waitFor();
    await expect.poll(() => failure.locator(".failure-lines").count(), { timeout: 10_000 }).toBe(1);
    const text = await failure.innerText();
    expect(text).toMatch(/trainer exited with code 1/);
    expect(text).toMatch(/CUDA out of memory \(pretend\)/);
    expect(text).not.toMatch(/\$ "node"/);
    expect(text).not.toMatch(/last lines:/);
    // The full log (below) still has the command line.
    await expect.poll(() => page.locator("pre.log[aria-label='Log tail']").innerText()).toMatch(/\$ "node"/);
  });

  it("overlays a compared run on the training curve with the group's mean ± std band", async () => {
    const [seven, eight] = [...trainRuns].sort((a, b) => a.seed - b.seed);
    await page.goto(`${base}/runs/${seven!.id}?compare=${eight!.id}`);
    const chart = page.locator("#training-curves ~ .chart-grid figure.chart").first();
    await chart.waitFor();
    await expect.poll(() => chart.getAttribute("data-series")).toMatch(/group mean \(2 seeds\)/);
    const labels = (await chart.getAttribute("data-series"))!.split("|");
    expect(labels.filter((l) => l.endsWith("(this run)"))).toHaveLength(1);
    expect(labels.some((l) => l.includes("seed 8"))).toBe(true);
    expect(labels.filter((l) => l.startsWith("group mean"))).toHaveLength(3);
    expect(await chart.getAttribute("data-bands")).toBe("1");
    // uPlot's legend lists the same series, and the canvas was drawn.
    await expect.poll(() => chart.locator(".u-legend .u-series").count()).toBe(labels.length + 1);
    expect(await chart.locator("canvas").count()).toBeGreaterThan(0);
    await shot("training-curves-band");
  });

  it("follows the log tail unless the reader scrolled up", async () => {
    const trainerId = await registerTrainer("web-chatty-trainer", ["--epochs", "110", "--sleep-ms", "80", "--garbage"]);
    const run = await gqlData(server.url, `mutation($d: ID!, $t: ID!) { launchTraining(datasetId: $d, trainerId: $t, seed: 3) { id } }`, { d: setup.datasetId, t: trainerId });
    const id = run.launchTraining.id;
    await page.goto(`${base}/runs/${id}`);
    const log = page.locator("pre.log[aria-label='Log tail']");
    await log.waitFor({ timeout: 60_000 });
    const geometry = () => log.evaluate((el) => ({ top: el.scrollTop, height: el.scrollHeight, client: el.clientHeight }));
    // Enough lines to scroll, and kept at the bottom as they arrive.
    await expect.poll(async () => { const g = await geometry(); return g.height > g.client * 2; }, { timeout: 60_000 }).toBe(true);
    await expect.poll(async () => { const g = await geometry(); return g.height - g.top - g.client; }).toBeLessThanOrEqual(24);
    const grown = (await geometry()).height;
    await expect.poll(async () => (await geometry()).height, { timeout: 20_000 }).toBeGreaterThan(grown);
    await expect.poll(async () => { const g = await geometry(); return g.height - g.top - g.client; }).toBeLessThanOrEqual(24);

    // Scrolled up: new lines do not pull the view down; "Follow new lines" brings it back.
    await log.evaluate((el) => { el.scrollTop = 0; el.dispatchEvent(new Event("scroll")); });
    const follow = page.getByRole("button", { name: "Follow new lines" });
    await follow.waitFor();
    const before = (await geometry()).height;
    await expect.poll(async () => (await geometry()).height, { timeout: 20_000 }).toBeGreaterThan(before);
    expect((await geometry()).top).toBe(0);
    await follow.click();
    await expect.poll(async () => { const g = await geometry(); return g.height - g.top - g.client; }).toBeLessThanOrEqual(24);
    expect(await follow.count()).toBe(0);
    await gql(server.url, `mutation($id: ID!) { cancelRun(id: $id) { id } }`, { id }); // if still running
    expect(browserErrors).toEqual([]);
  }, 120_000);
});
