// The leaderboard page's row paging and a large row's comparison in a real Chromium
// (Debian's /usr/bin/chromium via playwright-core) against a real server and PostgreSQL:
// 61 configurations of own runs (one of them with 55 runs) make two pages of 50 rows;
// Next / Previous walk them, and the 55-run row compares its runs 51-55 through
// compareRunGroup (compareRuns takes at most 50). Skipped with a message without
// Chromium, except under CI=true. Screenshots go to test-output/leaderboard-paging/.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gqlData } from "../helpers/graphql-client";
import { ensureDashboardBuilt } from "../helpers/dashboard-build";
import { startTestServer, type TestServer } from "../helpers/test-server";

const CHROMIUM = "/usr/bin/chromium";
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SHOTS = path.join(ROOT, "test-output", "leaderboard-paging");
const skip = !existsSync(CHROMIUM) && process.env.CI !== "true";
if (skip) console.warn(`\n  SKIPPED: leaderboard paging browser tests need Debian's Chromium at ${CHROMIUM}. In CI (CI=true) this is a failure.\n`);

const CONFIGS = 61;
const BIG_RUNS = 55;

let server: TestServer;
let context: BrowserContext;
let page: Page;
let profile: string;
let base: string;
/** The 55-run configuration's runs, oldest first. */
let bigRunIds: string[] = [];
const browserErrors: string[] = [];

describe.skipIf(skip)("leaderboard paging in Chromium", () => {
  beforeAll(async () => {
    ensureDashboardBuilt();
    await mkdir(SHOTS, { recursive: true });
    server = await startTestServer();
    base = server.app.http.url;
    // Seeded with SQL like the bench (the triggers keep the summaries); configuration c has
    // lr = 0.001 * (c + 1); configuration 0 has 55 seeds, the others one run each.
    const client = new pg.Client({ connectionString: server.database.url });
    await client.connect();
    try {
      await client.query(
        `INSERT INTO run (kind, status, seed, params, dataset_id, group_name, created_at, finished_at)
         SELECT 'EVALUATE', 'SUCCEEDED', s, jsonb_build_object('lr', 0.001 * (c + 1), 'seed', s),
                (SELECT id FROM dataset ORDER BY name LIMIT 1), 'paging', now() - make_interval(secs => 10000 - c * 100 - s), now()
         FROM generate_series(0, $1::int - 1) c
         CROSS JOIN LATERAL generate_series(0, CASE WHEN c = 0 THEN $2::int - 1 ELSE 0 END) s`,
        [CONFIGS, BIG_RUNS],
      );
      await client.query(
        `INSERT INTO metric (run_id, benchmark_id, name, value, step)
         SELECT r.id, b.id, 'accuracy', 0.9 + 0.001 * ((r.params ->> 'lr')::float8 * 1000) + 0.0001 * r.seed, 0
         FROM run r, benchmark b WHERE r.group_name = 'paging' AND b.name = 'LFW'`,
      );
      bigRunIds = (
        await client.query(`SELECT id FROM run WHERE group_name = 'paging' AND (params ->> 'lr')::float8 = 0.001 ORDER BY created_at, id`)
      ).rows.map((r: { id: string }) => r.id);
    } finally {
      await client.end();
    }
    expect(bigRunIds).toHaveLength(BIG_RUNS);
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

  const BOARD = "/leaderboard?table=custom&benchmarks=LFW&metric=accuracy&source=own";
  const bodyRows = () => page.locator("table.leaderboard tbody tr[data-row-key]");
  const pagerText = () => page.getByRole("navigation", { name: "Leaderboard pages" }).locator("span").innerText();

  it("pages the rows 50 at a time with Next and Previous", async () => {
    await page.goto(`${base}${BOARD}`);
    await expect.poll(pagerText).toBe(`rows 1–50 of ${CONFIGS}`);
    expect(await bodyRows().count()).toBe(50);
    const firstPage = await bodyRows().evaluateAll((els) => els.map((e) => e.getAttribute("data-row-key")));
    const pager = page.getByRole("navigation", { name: "Leaderboard pages" });
    expect(await pager.getByRole("button", { name: "Previous" }).isDisabled()).toBe(true);

    await pager.getByRole("button", { name: "Next" }).click();
    await expect.poll(pagerText).toBe(`rows 51–${CONFIGS} of ${CONFIGS}`);
    expect(await bodyRows().count()).toBe(CONFIGS - 50);
    const secondPage = await bodyRows().evaluateAll((els) => els.map((e) => e.getAttribute("data-row-key")));
    // Two disjoint pages covering every row.
    expect(new Set([...firstPage, ...secondPage]).size).toBe(CONFIGS);
    expect(await pager.getByRole("button", { name: "Next" }).isDisabled()).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, "second-page.png"), fullPage: true });

    await pager.getByRole("button", { name: "Previous" }).click();
    await expect.poll(pagerText).toBe(`rows 1–50 of ${CONFIGS}`);
    expect(await bodyRows().evaluateAll((els) => els.map((e) => e.getAttribute("data-row-key")))).toEqual(firstPage);

    // The page's answer carries no run ids: the API's rows for this page, through GraphQL.
    const { leaderboard } = await gqlData(
      server.url,
      `{ leaderboard(benchmarks: ["LFW"], metric: "accuracy", filter: { published: false }, first: 50) { totalRows pageInfo { hasNextPage endCursor } rows { key } } }`,
    );
    expect(leaderboard.totalRows).toBe(CONFIGS);
    expect(leaderboard.pageInfo.hasNextPage).toBe(true);
    expect(leaderboard.rows.map((r: { key: string }) => r.key)).toEqual(firstPage);
  });

  it("compares runs 51-55 of a 55-run row through compareRunGroup", async () => {
    await page.goto(`${base}${BOARD}`);
    await expect.poll(pagerText).toBe(`rows 1–50 of ${CONFIGS}`);
    const big = page.locator("table.leaderboard tbody tr[data-row-key]", { hasText: `n=${BIG_RUNS}` });
    await expect.poll(() => big.count()).toBe(1);
    const ranges = big.getByLabel(`Compare runs of ${BIG_RUNS}`);
    expect(await ranges.locator("option").allInnerTexts()).toEqual(["compare…", "runs 1–50", "runs 51–55"]);
    await ranges.selectOption({ label: "runs 51–55" });
    await page.waitForURL((url) => url.pathname === `/runs/${bigRunIds[50]}`);
    expect(new URL(page.url()).searchParams.get("compare")).toBe(bigRunIds.slice(51).join(","));
    // The comparison renders the five runs side by side (compareRuns with 5 ids).
    const table = page.locator("table.compare-metrics");
    await table.waitFor();
    await expect.poll(() => table.locator("thead th").count()).toBe(2 + 5);
    await page.screenshot({ path: path.join(SHOTS, "compare-51-55.png"), fullPage: true });

    // The plain link compares the first 50.
    await page.goto(`${base}${BOARD}`);
    await expect.poll(pagerText).toBe(`rows 1–50 of ${CONFIGS}`);
    await page.locator("table.leaderboard tbody tr[data-row-key]", { hasText: `n=${BIG_RUNS}` }).getByRole("link", { name: "runs" }).click();
    await page.waitForURL((url) => url.pathname === `/runs/${bigRunIds[0]}`);
    expect(new URL(page.url()).searchParams.get("compare")!.split(",")).toEqual(bigRunIds.slice(1, 50));
    expect(browserErrors).toEqual([]);
  });
});
