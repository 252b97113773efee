// The runs table and parallel coordinates in a real Chromium (Debian's /usr/bin/chromium via
// playwright-core) against a real server and PostgreSQL: chosen metric and config columns,
// click-to-sort (state in the URL), selecting runs and comparing them, and the parallel-
// coordinates view with its axes kept in the URL. Skipped with a message without Chromium,
// except under CI=true. Screenshots go to test-output/runs-table/.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gqlData } from "../helpers/graphql-client";
import { ensureDashboardBuilt } from "../helpers/dashboard-build";
import { startTestServer, type TestServer } from "../helpers/test-server";

const CHROMIUM = "/usr/bin/chromium";
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SHOTS = path.join(ROOT, "test-output", "runs-table");
const skip = !existsSync(CHROMIUM) && process.env.CI !== "true";
if (skip) console.warn(`\n  SKIPPED: runs-table browser tests need Debian's Chromium at ${CHROMIUM}. In CI (CI=true) this is a failure.\n`);

let server: TestServer;
let context: BrowserContext;
let page: Page;
let profile: string;
let base: string;
const runs: { id: string; name: string; epochs: number; lr: number; acc: number }[] = [];
const browserErrors: string[] = [];

// accuracy on LFW, BEST over steps; train.epochs as a config column.
const ACC = "m|BEST|LFW|accuracy";
const EPOCHS = "c|train.epochs";

describe.skipIf(skip)("runs table in Chromium", () => {
  beforeAll(async () => {
    ensureDashboardBuilt();
    await mkdir(SHOTS, { recursive: true });
    server = await startTestServer();
    base = server.app.http.url;
    for (let i = 0; i < 5; i++) {
      const name = `sweep-${i}`;
      const epochs = 2 + ((i * 3) % 5);
      const lr = [0.1, 0.01, 0.05, 0.001, 0.02][i]!;
      const acc = [0.91, 0.97, 0.88, 0.95, 0.93][i]!;
      const { createRun } = await gqlData(server.url, `mutation($i: CreateRunInput!) { createRun(input: $i) { id } }`, {
        i: { kind: "TRAIN", name, group: "sweep", params: { epochs, lr } },
      });
      await gqlData(server.url, `mutation($id: ID!, $p: [MetricPointInput!]!) { logMetrics(runId: $id, points: $p) { inserted } }`, {
        id: createRun.id,
        p: [
          { name: "accuracy", benchmark: "LFW", value: acc - 0.05, step: 0 },
          { name: "accuracy", benchmark: "LFW", value: acc, step: 1 },
          { name: "accuracy", benchmark: "LFW", value: acc - 0.02, step: 2 },
        ],
      });
      runs.push({ id: createRun.id, name, epochs, lr, acc });
    }
    profile = await mkdtemp(path.join(os.tmpdir(), "realismlab-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 1000 },
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(30_000);
    page.on("pageerror", (e) => browserErrors.push(`pageerror: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") browserErrors.push(`console: ${m.text()}`);
    });
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  const sortButton = (label: string) => page.locator("table.runs thead button.sort-header", { hasText: label });
  const names = async () => (await page.locator("table.runs tbody tr th[scope=row] a").allInnerTexts()).map((t) => t.trim());

  it("shows chosen columns and sorts by clicking a column header, keeping the sort in the URL", async () => {
    await page.goto(`${base}/runs?group=sweep&cols=${encodeURIComponent(`${ACC},${EPOCHS}`)}`);
    await page.locator("table.runs tbody tr").nth(4).waitFor();
    const headers = (await page.locator("table.runs thead th").allInnerTexts()).map((t) => t.trim());
    expect(headers).toContain("accuracy · LFW (best)");
    expect(headers).toContain("train.epochs");
    // The metric column shows the best over steps (the step-1 value), not the last one.
    const row = page.locator(`tr[data-run-id="${runs[1]!.id}"]`);
    expect(await row.locator(`td[data-column="${ACC}"]`).innerText()).toBe("0.9700");
    expect(await row.locator(`td[data-column="${EPOCHS}"]`).innerText()).toBe(String(runs[1]!.epochs));

    await sortButton("accuracy · LFW (best)").click();
    const byAccDesc = [...runs].sort((a, b) => b.acc - a.acc).map((r) => r.name);
    await expect.poll(names).toEqual(byAccDesc);
    expect(new URL(page.url()).searchParams.get("sort")).toBe(ACC);
    await sortButton("accuracy · LFW (best)").click();
    await expect.poll(names).toEqual([...byAccDesc].reverse());
    expect(new URL(page.url()).searchParams.get("dir")).toBe("asc");

    await sortButton("train.epochs").click();
    await expect.poll(names).toEqual([...runs].sort((a, b) => b.epochs - a.epochs || (a.id < b.id ? 1 : -1)).map((r) => r.name));
    // A reload keeps columns and sort (they live in the URL).
    await page.reload();
    await page.locator("table.runs tbody tr").nth(4).waitFor();
    expect(await names()).toEqual([...runs].sort((a, b) => b.epochs - a.epochs || (a.id < b.id ? 1 : -1)).map((r) => r.name));
    await page.screenshot({ path: path.join(SHOTS, "sorted.png"), fullPage: true });
  });

  it("lists the server's run kinds in the kind filter, read from runKinds", async () => {
    await page.goto(`${base}/runs?group=sweep`);
    const kind = page.getByRole("form", { name: "Run filters" }).getByLabel("Kind");
    await expect.poll(async () => kind.locator("option").allInnerTexts()).toEqual(["All kinds", "Transfer", "Training", "Evaluation", "Dataset quality"]);
    await kind.selectOption({ label: "Dataset quality" });
    await expect.poll(() => new URL(page.url()).searchParams.get("kind")).toBe("DATASET_QUALITY");
  });

  it("filters by a metric threshold from the page", async () => {
    await page.goto(`${base}/runs?group=sweep&cols=${encodeURIComponent(ACC)}`);
    await page.locator("table.runs tbody tr").nth(4).waitFor();
    const form = page.getByRole("form", { name: "Filter by a metric threshold" });
    await form.getByLabel("Filter metric").fill("accuracy");
    await form.getByLabel("Filter benchmark").fill("LFW");
    await form.getByLabel("Filter aggregate").selectOption("BEST");
    await form.getByLabel("Threshold").fill("0.93");
    await form.getByRole("button", { name: "Add threshold" }).click();
    await expect.poll(async () => (await names()).sort()).toEqual(runs.filter((r) => r.acc >= 0.93).map((r) => r.name).sort());
    expect(new URL(page.url()).searchParams.get("mf")).toBe(`${ACC}|gte|0.93`);
  });

  it("compares the selected runs in the comparison view", async () => {
    await page.goto(`${base}/runs?group=sweep`);
    await page.locator("table.runs tbody tr").nth(4).waitFor();
    const compare = page.getByRole("button", { name: /^Compare/ });
    expect(await compare.isDisabled()).toBe(true);
    await page.getByLabel("Select sweep-1").check();
    await page.getByLabel("Select sweep-3").check();
    await compare.click();
    await page.waitForURL(/\/runs\/[0-9a-f-]+\?compare=/);
    const url = new URL(page.url());
    expect([url.pathname.split("/").at(-1), url.searchParams.get("compare")].sort()).toEqual([runs[1]!.id, runs[3]!.id].sort());
    const table = page.locator("table.compare-metrics");
    await table.waitFor();
    const heads = (await table.locator("thead th").allInnerTexts()).map((t) => t.trim());
    expect(heads).toEqual(expect.arrayContaining(["sweep-1", "sweep-3"]));
    await page.screenshot({ path: path.join(SHOTS, "compare.png"), fullPage: true });
  });

  it("draws parallel coordinates with the chosen axes kept in the URL", async () => {
    await page.goto(`${base}/runs?group=sweep&view=parallel&axes=train.epochs`);
    const svg = page.locator("svg.parallel-coordinates");
    await svg.waitFor().catch(async (error) => {
      await page.screenshot({ path: path.join(SHOTS, "parallel-failed.png"), fullPage: true });
      throw new Error(`${(error as Error).message}\npage text: ${(await page.locator("main, body").first().innerText()).slice(0, 1500)}`);
    });
    await expect.poll(() => svg.locator("path[data-run-id]").count()).toBe(5);
    expect(await svg.locator("g.pc-axis").count()).toBe(2); // train.epochs and the metric

    const add = page.getByRole("form", { name: "Add an axis" });
    await add.getByLabel("Axis config key").fill("train.lr");
    await add.getByRole("button", { name: "Add axis" }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get("axes")).toBe("train.epochs,train.lr");
    await expect.poll(() => svg.locator("g.pc-axis").count()).toBe(3);
    const labels = await svg.locator(".pc-axis-label").allTextContents();
    expect(labels).toEqual(["train.epochs", "train.lr", "accuracy · LFW (best)"]);

    // Each run's line passes its own values: the highest accuracy sits at the top of the metric axis.
    // The new axis's values come with the next runs query; until then a line skips that axis.
    const best = runs.reduce((a, b) => (b.acc > a.acc ? b : a));
    const pointsOf = async () => {
      const d = await svg.locator(`path[data-run-id="${best.id}"]`).getAttribute("d");
      return d!.split(/[ML]/).filter(Boolean).map((p) => p.split(",").map(Number));
    };
    await expect.poll(async () => (await pointsOf()).length).toBe(3);
    const points = await pointsOf();
    expect(points[2]![1]).toBeCloseTo(36, 0); // PAD.top: the axis maximum

    await page.reload();
    await svg.waitFor();
    await expect.poll(() => svg.locator("g.pc-axis").count()).toBe(3);
    await page.screenshot({ path: path.join(SHOTS, "parallel.png"), fullPage: true });
    expect(browserErrors).toEqual([]);
  });
});
