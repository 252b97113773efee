// The CLI's read side and plumbing against a running server: the leaderboard in
// its four formats (the paper's CodeFormer row), help texts, the bin entry through
// npx, and API tokens from --token / REALISMLAB_TOKEN over HTTP and graphql-ws.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { cli, cliEnv, describeResult, startCli } from "./helpers";

const exec = promisify(execFile);

describe("against an open server", () => {
  let server: TestServer;
  let env: Record<string, string>;
  beforeAll(async () => {
    server = await startTestServer({ AUTH_REQUIRED: "false" });
    env = cliEnv(server.url);
  }, 120_000);
  afterAll(() => server?.close());

  it("leaderboard --format markdown prints the paper's CodeFormer row (93.07 on LFW)", async () => {
    const result = await cli(["leaderboard", "--format", "markdown"], env);
    expect(result.code, describeResult(result)).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines.find((l) => l.startsWith("| Transfer Method"))).toMatch(/\| LFW \| CFP-FP \| CPLFW \| CALFW \| AgeDB-30 \| Avg \|/);
    expect(lines).toContain("| CodeFormer | DigiFace1M | Syn-RT | No-Req | 93.07±0.27 | 90.50±0.26 | 73.02±0.62 | 76.59±0.19 | 70.19±2.57 | 80.40±0.29 |");
  }, 60_000);

  it("leaderboard as an aligned table, CSV and LaTeX", async () => {
    const [tableOut, csv, latex, json] = await Promise.all([
      cli(["leaderboard", "--benchmark", "LFW,CFP-FP", "--published"], env),
      cli(["leaderboard", "--format", "csv", "--benchmark", "LFW"], env),
      cli(["leaderboard", "--preset", "table2", "--format", "latex"], env),
      cli(["leaderboard", "--benchmark", "LFW", "--json"], env),
    ]);
    for (const r of [tableOut, csv, latex, json]) expect(r.code, describeResult(r)).toBe(0);
    const rows = tableOut.stdout.split("\n");
    expect(rows[0]).toMatch(/^ROW\s+N\s+LFW\s+CFP-FP\s+Avg$/);
    expect(rows.find((l) => l.startsWith("CodeFormer on DigiFace1M (published)"))).toMatch(/\s1\s+93\.07±0\.27\s+90\.50±0\.26\s+91\.79/);
    expect(rows.find((l) => l.startsWith("WebFace4M"))).toMatch(/99\.78±0\.00 \*/); // best in column
    // Columns line up: every row is as wide as the header up to the last column.
    const lfwEnd = rows[0]!.indexOf("LFW") + 3;
    for (const row of rows.slice(1, rows.indexOf(""))) expect(row.slice(0, lfwEnd)).toMatch(/\d\d(\s\*)?$/);
    expect(csv.stdout.split("\n").find((l) => l.includes("CodeFormer on DigiFace1M"))).toContain(",93.07,0.27,");
    expect(latex.stdout).toContain("\\begin{tabular}");
    expect(latex.stdout).toMatch(/CodeFormer & DigiFace1M & Syn-RT & No-Req & \\textbf\{93\.07\$\\pm\$0\.27\}/);
    const board = JSON.parse(json.stdout);
    expect(board.rows.find((r: any) => r.label === "CodeFormer on DigiFace1M (published)").cells[0].text).toBe("93.07±0.27");
  }, 60_000);

  it("prints help for the program and every command, exit 0", async () => {
    const main = await cli(["--help"], env);
    expect(main.code).toBe(0);
    for (const name of ["launch transfer", "launch evaluate", "launch train", "launch pipeline", "watch", "runs", "cancel", "leaderboard"]) expect(main.stdout).toContain(name);
    expect(main.stdout).toMatch(/Exit codes:\n\s+0 .*\n[\s\S]*\n\s+2\s+usage/);
    const helps = await Promise.all([
      cli(["launch", "transfer", "--help"], env),
      cli(["help", "launch", "pipeline"], env),
      cli(["watch", "-h"], env),
      cli(["launch", "--help"], env),
    ]);
    for (const h of helps) expect(h.code, describeResult(h)).toBe(0);
    expect(helps[0]!.stdout).toMatch(/Usage: realismlab launch transfer --dataset NAME\|ID --method NAME\|ID/);
    expect(helps[0]!.stdout).toContain("--fidelity-weight W");
    expect(helps[1]!.stdout).toContain("--repeats N");
    expect(helps[2]!.stdout).toMatch(/Exits 0 when every run SUCCEEDED, 1 when/);
    expect(helps[3]!.stdout).toMatch(/launch <transfer\|evaluate\|train\|pipeline>/);
    const bare = await cli([], env);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("Usage: realismlab <command>");
  }, 60_000);

  it("runs as `npx realismlab` from the repository (package.json bin)", async () => {
    const { stdout } = await exec("npx", ["--no-install", "realismlab", "--help"], { env: { ...process.env, ...env } });
    expect(stdout).toContain("realismlab: command-line client for the RealismLab GraphQL API");
  }, 60_000);
});

describe("with API tokens required", () => {
  let server: TestServer;
  let readToken: string;
  let adminToken: string;
  beforeAll(async () => {
    server = await startTestServer({ AUTH_REQUIRED: "true", READS_PUBLIC: "false" });
    readToken = (await server.app.services.auth.createToken({ name: "cli reader", scopes: ["READ"] })).secret;
    adminToken = (await server.app.services.auth.createToken({ name: "cli admin", scopes: ["ADMIN"] })).secret;
  }, 120_000);
  afterAll(() => server?.close());

  async function call(query: string, variables: Record<string, unknown>) {
    const response = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: any; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  }

  it("sends the token from REALISMLAB_TOKEN or --token (the flag wins); without one the API refuses (exit 1)", async () => {
    const [none, fromEnv, fromFlag, invalid, forbidden] = await Promise.all([
      cli(["runs"], cliEnv(server.url)),
      cli(["runs", "--all"], cliEnv(server.url, { REALISMLAB_TOKEN: readToken })),
      cli(["runs", "--all", "--token", readToken], cliEnv(server.url, { REALISMLAB_TOKEN: "rl_not-a-real-token" })),
      cli(["runs"], cliEnv(server.url, { REALISMLAB_TOKEN: "rl_not-a-real-token" })),
      cli(["cancel", "7d1c0f3e-0000-4000-8000-000000000000"], cliEnv(server.url, { REALISMLAB_TOKEN: readToken })),
    ]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/error: .*\[UNAUTHENTICATED\]/);
    expect(fromEnv.code, describeResult(fromEnv)).toBe(0);
    expect(fromEnv.stdout).toContain("Published: CodeFormer on DigiFace1M");
    expect(fromFlag.code, describeResult(fromFlag)).toBe(0);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^error: .*the API token is not valid.*\[UNAUTHENTICATED\]/);
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toMatch(/cancelRun needs the LAUNCH scope.*\[FORBIDDEN\]/);
  }, 60_000);

  it("watch authenticates its subscriptions with connectionParams", async () => {
    const { createRun } = await call(`mutation { createRun(input: { kind: TRAIN, status: RUNNING, name: "external" }) { id } }`, {});
    const progress = (input: Record<string, unknown>) => call(`mutation($id: ID!, $input: UpdateRunInput!) { updateRun(id: $id, input: $input) { id } }`, { id: createRun.id, input });
    const watcher = startCli(["watch", createRun.id, "--interval", "0"], cliEnv(server.url, { REALISMLAB_TOKEN: readToken }));
    try {
      await watcher.waitFor(/RUNNING/, 30_000);
      await progress({ progress: { done: 3, total: 12, rate: 1.5, phase: "epoch" } });
      await watcher.waitFor(/\[######\.+\]\s+25%\s+3\/12\s+1\.50\/s\s+ETA 6s\s+RUNNING\s+epoch/, 30_000);
      await progress({ progress: { done: 12, total: 12 }, status: "FAILED", error: "loss went NaN" });
      expect(await watcher.exited()).toBe(1);
      expect(watcher.output()).toContain(`TRAIN run ${createRun.id} FAILED: loss went NaN`);
      // Had the socket not carried the token, the subscriptions would have been refused and the CLI would say so.
      expect(watcher.output()).not.toContain("live updates unavailable");
    } finally {
      watcher.kill("SIGKILL");
    }
  }, 60_000);
});
