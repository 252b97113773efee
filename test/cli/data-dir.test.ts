// DATA_DIR is honoured by `npm run fixtures`, `npm run token` and `npm run migrate`,
// run as users run them (child processes, from a folder of their own). A tool never
// creates a cluster where no server ran, and a missing database is reported with
// the DATA_DIR or DATABASE_URL that was used.
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../../src/app";
import { loadConfig } from "../../src/config/config";
import { createTestDatabase } from "../helpers/database";
import { startChild } from "../helpers/process";

const REPO = path.resolve(".");
// An absolute loader, so the scripts also run from a folder outside the repository.
const TSX_LOADER = pathToFileURL(path.join(REPO, "node_modules/tsx/dist/loader.mjs")).href;

/** Runs a repository script the way `npm run <script>` does, from `cwd`, with this environment. */
async function script(file: string, args: string[], env: Record<string, string>, cwd: string) {
  const child = startChild(process.execPath, ["--import", TSX_LOADER, path.join(REPO, file), ...args], { DATABASE_URL: "", DATA_DIR: "", DATA_ROOTS: "", ...env }, cwd);
  const code = await child.exited();
  return { code, output: child.output() };
}

let workDir: string;
beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), "realismlab-datadir-"));
  // Embedded Postgres runs as the `postgres` user under root: it must reach the folder.
  await chmod(workDir, 0o755);
});
afterAll(() => rm(workDir, { recursive: true, force: true }));

describe("without a server's data", () => {
  it("`npm run token -- list` without DATA_DIR names the folder it looked in and leaves no cluster in ./.data", async () => {
    const cwd = path.join(workDir, "fresh-checkout");
    await mkdir(cwd, { recursive: true });
    const result = await script("src/auth/token-cli.ts", ["list"], {}, cwd);
    expect(result.code, result.output).toBe(1);
    expect(result.output).toContain(`DATA_DIR=${path.join(cwd, ".data")}`);
    expect(result.output).not.toContain('database "realismlab" does not exist');
    expect(existsSync(path.join(cwd, ".data", "postgres"))).toBe(false);
  }, 60_000);

  it("`npm run migrate` names the DATABASE_URL (password hidden) of a database that does not exist", async () => {
    const database = await createTestDatabase();
    try {
      const url = new URL(database.url);
      url.pathname = "/no_such_database";
      const result = await script("src/db/migrate-cli.ts", [], { DATABASE_URL: url.toString() }, workDir);
      expect(result.code, result.output).toBe(1);
      expect(result.output).toContain('database "no_such_database" does not exist');
      expect(result.output).toContain("DATABASE_URL=postgresql://");
      expect(result.output).toContain("/no_such_database");
      if (url.password) expect(result.output).not.toContain(`:${url.password}@`);
    } finally {
      await database.drop();
    }
  }, 60_000);

  it("`npm run fixtures` writes into $DATA_DIR/datasets/fixtures", async () => {
    const dataDir = path.join(workDir, "fixtures-home");
    const result = await script("scripts/fixtures/build-fixtures.ts", [], { DATA_DIR: dataDir }, workDir);
    expect(result.code, result.output).toBe(0);
    const folder = path.join(dataDir, "datasets", "fixtures");
    expect(result.output).toContain(`fixtures written to ${folder}`);
    expect((await readdir(path.join(folder, "models"))).filter((f) => f.endsWith(".onnx")).length).toBeGreaterThan(0);
    expect(existsSync(path.join(workDir, ".data"))).toBe(false);
  }, 60_000);
});

describe("beside a server whose embedded database lives under DATA_DIR", () => {
  let app: RunningApp | null = null;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = path.join(workDir, "server-home");
    app = await startApp(loadConfig({ DATA_DIR: dataDir, PORT: "0", HOST: "127.0.0.1", WORKER_IN_PROCESS: "false", AUTH_REQUIRED: "true" }));
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
  });

  it("token and migrate use the running cluster, and token starts it briefly once the server stopped", async () => {
    const env = { DATA_DIR: dataDir };
    const created = await script("src/auth/token-cli.ts", ["create", "--name", "ci", "--scope", "write"], env, workDir);
    expect(created.code, created.output).toBe(0);
    const secret = created.output.match(/\n(rl_\S+)/)?.[1];
    expect(secret).toBeDefined();
    // The token works against the running server: it was written to the server's database.
    const principal = await app!.services.auth.authenticate(`Bearer ${secret}`);
    expect(principal.name).toBe("ci");

    const migrated = await script("src/db/migrate-cli.ts", [], env, workDir);
    expect(migrated.code, migrated.output).toBe(0);
    expect(migrated.output).toContain(`database is up to date (DATA_DIR=${dataDir})`);

    await app!.stop();
    app = null;
    const listed = await script("src/auth/token-cli.ts", ["list"], env, workDir);
    expect(listed.code, listed.output).toBe(0);
    expect(listed.output).toMatch(/\sci\s+WRITE\s+active/);
    // Started briefly and stopped again.
    expect(existsSync(path.join(dataDir, "postgres", "postmaster.pid"))).toBe(false);
    expect(existsSync(path.join(workDir, ".data"))).toBe(false);
  }, 120_000);
});
