// `npm start` on a fresh machine: no DATABASE_URL, so an embedded PostgreSQL under
// DATA_DIR; migrations and seed applied; GraphQL served; Ctrl-C stops Postgres
// cleanly; a restart keeps the data.
import { existsSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql, gqlData } from "../helpers/graphql-client";
import { freePort, startChild } from "../helpers/process";

// node --import tsx: one process, so a signal reaches the server itself (tsx would fork a child).
const TSX = process.execPath;
const TSX_ARGS = ["--import", "tsx"];
let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "realismlab-start-"));
  await chmod(dataDir, 0o755);
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

async function startServer(port: number) {
  const child = startChild(TSX, [...TSX_ARGS, "src/main.ts"], { DATA_DIR: dataDir, PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: "" });
  const [, url] = await child.waitFor(/GraphQL:\s+(http:\S+)/, 90_000);
  return { child, url: url! };
}

describe("npm start", () => {
  it("starts embedded Postgres, serves the seeded API, stops cleanly on SIGINT and keeps data across restarts", async () => {
    const port = await freePort();
    const first = await startServer(port);
    expect(first.url).toBe(`http://127.0.0.1:${port}/graphql`);
    expect(first.child.output()).toMatch(/ws:\/\/127\.0\.0\.1:\d+\/graphql/);
    const seeded = await gqlData(first.url, `{ benchmarks { name } runs(filter: { published: true }) { totalCount } }`);
    expect(seeded.benchmarks).toHaveLength(7);
    expect(seeded.runs.totalCount).toBe(6);
    // Auth is on by default: the first start prints an ADMIN token once.
    const token = first.child.output().match(/an ADMIN token was created[^\n]*\n\s+(rl_\S+)/)?.[1];
    expect(token).toBeDefined();
    const anonymous = await gql(first.url, `mutation { createRun(input: { kind: TRAIN }) { id } }`);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    await gqlData(first.url, `mutation { createRun(input: { kind: TRAIN, name: "survives restart" }) { id } }`, {}, token);

    first.child.kill("SIGINT");
    expect(await first.child.exited()).toBe(0);
    expect(existsSync(path.join(dataDir, "postgres", "postmaster.pid"))).toBe(false);

    const second = await startServer(port);
    expect(second.child.output()).not.toContain("ADMIN token was created");
    const kept = await gqlData(second.url, `{ runs(filter: { published: false }) { nodes { name } } published: runs(filter: { published: true }) { totalCount } }`);
    expect(kept.runs.nodes).toEqual([{ name: "survives restart" }]);
    expect(kept.published.totalCount).toBe(6); // the seed did not run twice
    second.child.kill("SIGINT");
    expect(await second.child.exited()).toBe(0);
  }, 180_000);

  it("reports every invalid setting by name and exits", async () => {
    const child = startChild(TSX, [...TSX_ARGS, "src/main.ts"], { PORT: "eighty", DATABASE_URL: "mysql://x", WORKER_CONCURRENCY: "0" });
    expect(await child.exited()).toBe(1);
    const output = child.output();
    expect(output).toContain("PORT:");
    expect(output).toContain("DATABASE_URL: must be a postgres:// or postgresql:// URL");
    expect(output).toContain("WORKER_CONCURRENCY:");
  }, 60_000);
});
