// A trainer never outlives its worker, and a retry never starts beside a previous
// attempt. Real server processes (src/main.ts with its in-process worker) are killed
// with SIGKILL under a silent trainer (it writes nothing to stdout):
// 1. kill -9 of the server: the trainer's supervisor sees its worker gone and ends it;
// 2. kill -9 of the server and of the supervisor: the trainer survives, and the next
//    attempt (after a restart) finds it through the process group recorded on the
//    run, kills it, and only then starts.
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { embeddingModelSpec } from "../../src/fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { gqlData } from "../helpers/graphql-client";
import { freePort, startChild, type Child } from "../helpers/process";

const TSX = [process.execPath, "--import", "tsx"] as const;
let database: TestDatabase;
let dataRoot: string;
let port: string;
let url: string;
const children: Child[] = [];
const trainerPids: number[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  dataRoot = await mkdtemp(path.join(os.tmpdir(), "realismlab-kill9-"));
  port = String(await freePort());
  url = `http://127.0.0.1:${port}/graphql`;
});
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await Promise.all(children.map((c) => c.exited()));
  for (const pid of trainerPids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* gone, as it should be */
    }
  }
  await database?.drop();
  await rm(dataRoot, { recursive: true, force: true });
});

async function startServer(): Promise<Child> {
  const child = startChild(TSX[0], [...TSX.slice(1), "src/main.ts"], {
    DATABASE_URL: database.url, HOST: "127.0.0.1", PORT: port, DATA_ROOTS: dataRoot, AUTH_REQUIRED: "false",
    WORKER_IN_PROCESS: "true", HEARTBEAT_INTERVAL_MS: "300", HEARTBEAT_TIMEOUT_MS: "3000", TRAINER_KILL_GRACE_MS: "500",
  });
  children.push(child);
  await child.waitFor(/RealismLab is running/, 120_000);
  return child;
}

/** Alive = listed in /proc and not a zombie. */
async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  return stat !== null && !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0]!);
}

async function processGroupOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
}

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

it("ends a silent trainer when its server is killed -9, and never runs two attempts at once", async () => {
  let server = await startServer();
  const datasetDir = path.join(dataRoot, "faces");
  await mkdir(path.join(datasetDir, "id_0"), { recursive: true });
  const datasetId = (await gqlData(url, `mutation($uri: String) { createDataset(input: { name: "faces", kind: SYNTHETIC, uri: $uri }) { id } }`, { uri: datasetDir })).createDataset.id;
  // Records its pid, then waits silently for ever (nothing on stdout or stderr).
  const silent = "require('fs').appendFileSync(process.argv[1] + '/pids', process.pid + '\\n'); setInterval(() => {}, 1000)";
  const trainerId = (await gqlData(url, `mutation($input: RegisterTrainerInput!) { registerTrainer(input: $input) { id } }`, {
    input: { name: "silent", command: ["node", "-e", silent, "{outputDir}"], workingDirectory: dataRoot, modelOutput: "{outputDir}/model.onnx", inputSpec: embeddingModelSpec(), backbone: "b", head: "h" },
  })).registerTrainer.id;
  const run = (await gqlData(url, `mutation($d: ID!, $t: ID!) { launchTraining(datasetId: $d, trainerId: $t, maxAttempts: 3) { id } }`, { d: datasetId, t: trainerId })).launchTraining;
  const pidsFile = path.join(dataRoot, "models", run.id, "pids");
  const pids = async () => (await readFile(pidsFile, "utf8").catch(() => "")).split("\n").filter(Boolean).map(Number);

  // 1. kill -9 of the server alone.
  const [first] = await until(pids, (p) => p.length === 1, 60_000, "the first attempt's trainer");
  trainerPids.push(first!);
  expect(await alive(first!)).toBe(true);
  server.kill("SIGKILL");
  await server.exited();
  await until(() => alive(first!), (a) => !a, 10_000, "the first trainer to end after its server was killed");

  // 2. A restarted server re-queues the run (its worker is gone) and starts attempt 2.
  server = await startServer();
  const [, second] = await until(pids, (p) => p.length === 2, 60_000, "the second attempt's trainer");
  trainerPids.push(second!);
  const supervisor = await processGroupOf(second!);
  expect(supervisor).not.toBe(second);
  // kill -9 of the server and of the trainer's supervisor: the trainer itself survives this one.
  server.kill("SIGKILL");
  process.kill(supervisor, "SIGKILL");
  await server.exited();
  await new Promise((r) => setTimeout(r, 1_000));
  expect(await alive(second!)).toBe(true);

  // 3. The next attempt finds it through the run's recorded process group and ends it first.
  server = await startServer();
  const all = await until(pids, (p) => p.length === 3, 60_000, "the third attempt's trainer");
  trainerPids.push(all[2]!);
  expect(await alive(second!)).toBe(false);
  expect(await alive(all[2]!)).toBe(true);
  // The run log is written in batches: wait for the line rather than read once.
  const killedLine = new RegExp(`previous attempt's trainer \\(process group ${supervisor}\\) is still running; killing it`);
  const state = await until(
    async () => (await gqlData(url, `query($id: ID!) { run(id: $id) { status logTail(lines: 50) { line } } }`, { id: run.id })).run,
    (r: any) => killedLine.test(r.logTail.map((l: any) => l.line).join("\n")),
    15_000,
    "the run log to tell that the previous attempt was killed",
  );
  expect(state.status).toBe("RUNNING");

  // A cancel ends the current attempt; a clean stop leaves nothing behind.
  await gqlData(url, `mutation($id: ID!) { cancelRun(id: $id) { status } }`, { id: run.id });
  await until(() => alive(all[2]!), (a) => !a, 10_000, "the third trainer to end after the cancel");
  server.kill("SIGTERM");
  expect(await server.exited()).toBe(0);
}, 400_000);
