// Results cannot be rewritten and trainers get only what they need, with auth on:
// finished runs are append-protected, published runs change only with ADMIN, every
// change is an audit event; trainer environments are masked without ADMIN; a trainer
// sees an allow-listed environment and a run token that dies with its run; a param
// value never becomes an option; NaN/Inf features are refused.
import { readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/config";
import { embeddingModelSpec } from "../../src/fixtures";
import { writeNpyFloat32 } from "../../src/metrics";
import { gql, gqlData } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { waitForRun, writePairBenchmark } from "../evaluation/helpers";

let server: TestServer;
let admin: string;
let writer: string;
let db: pg.Client;

beforeAll(async () => {
  server = await startTestServer({ AUTH_REQUIRED: "true", WORKER_IN_PROCESS: "true", HEARTBEAT_INTERVAL_MS: "300" });
  admin = (await server.app.services.auth.createToken({ name: "admin", scopes: ["ADMIN"] })).secret;
  writer = (await server.app.services.auth.createToken({ name: "writer", scopes: ["WRITE"] })).secret;
  db = new pg.Client({ connectionString: server.database.url });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await server?.close();
});

const LOG = `mutation($id: ID!, $value: Float!) { logMetrics(runId: $id, points: [{ name: "accuracy", value: $value }]) { inserted } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateRunInput!) { updateRun(id: $id, input: $input) { id name status details } }`;
const AUDIT = `query($id: ID!) { run(id: $id) { metrics { name value } auditEvents { actor tokenId action changes at } } }`;

async function waitForEnd(id: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { run } = await gqlData(server.url, `query($id: ID!) { run(id: $id) { status error logTail(lines: 50) { line } } }`, { id });
    if (["SUCCEEDED", "FAILED", "CANCELLED"].includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${run.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("results", () => {
  it("append-protects a finished evaluation run and audits every change", async () => {
    const id = (await gqlData(server.url, `mutation { createRun(input: { kind: EVALUATE, name: "eval" }) { id } }`, {}, writer)).createRun.id;
    expect((await gqlData(server.url, LOG, { id, value: 0.91 }, writer)).logMetrics.inserted).toBe(1);
    await gqlData(server.url, UPDATE, { id, input: { status: "SUCCEEDED", details: { folds: 10 } } }, writer);

    const doctored = await gql(server.url, LOG, { id, value: 0.999 }, writer);
    expect(doctored.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    expect(doctored.errors?.[0]?.message).toMatch(/SUCCEEDED: a finished run's results are append-protected/);
    const renamed = await gql(server.url, UPDATE, { id, input: { name: "best ever", details: { folds: 1 } } }, writer);
    expect(renamed.errors?.[0]?.extensions?.code).toBe("CONFLICT");

    // ADMIN may correct it; that is recorded too.
    await gqlData(server.url, UPDATE, { id, input: { name: "eval (corrected)" } }, admin);
    const { run } = await gqlData(server.url, AUDIT, { id });
    expect(run.metrics).toEqual([{ name: "accuracy", value: 0.91 }]);
    const events = run.auditEvents.reverse(); // oldest first
    expect(events.map((e: any) => [e.actor, e.action])).toEqual([
      ["writer", "logMetrics"],
      ["writer", "updateRun"],
      ["admin", "updateRun"],
    ]);
    expect(events[0].changes).toMatchObject({ points: 1, inserted: 1, values: [["accuracy", null, 0, 0.91]] });
    expect(events[1].changes).toEqual({ status: { from: "RUNNING", to: "SUCCEEDED" }, details: { from: null, to: { folds: 10 } } });
    expect(events[2].changes).toEqual({ name: { from: "eval", to: "eval (corrected)" } });
    expect(events[2].tokenId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(events[2].at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it("lets only ADMIN change a published run", async () => {
    const published = (await gqlData(server.url, `{ runs(filter: { published: true }, first: 1) { nodes { id name } } }`)).runs.nodes[0];
    const byWriter = await gql(server.url, UPDATE, { id: published.id, input: { name: "rewritten" } }, writer);
    expect(byWriter.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(byWriter.errors?.[0]?.message).toMatch(/published results; only an ADMIN token may change it/);
    const details = await gql(server.url, UPDATE, { id: published.id, input: { details: { accuracy: 1 } } }, writer);
    expect(details.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await gqlData(server.url, `query($id: ID!) { run(id: $id) { name } }`, { id: published.id })).run.name).toBe(published.name);
    await gqlData(server.url, UPDATE, { id: published.id, input: { name: `${published.name} (checked)` } }, admin);
    const { run } = await gqlData(server.url, AUDIT, { id: published.id });
    expect(run.auditEvents[0]).toMatchObject({ actor: "admin", action: "updateRun" });
  });
});

describe("trainers", () => {
  const REPO = path.resolve(".");
  let datasetId: string;
  beforeAll(async () => {
    const dir = path.join(server.dataRoot, "train-set");
    await import("node:fs/promises").then((fs) => fs.mkdir(path.join(dir, "id_0"), { recursive: true }));
    datasetId = (await gqlData(server.url, `mutation($uri: String) { createDataset(input: { name: "train-set", kind: SYNTHETIC, uri: $uri }) { id } }`, { uri: dir }, admin)).createDataset.id;
  });

  const register = (name: string, command: string[], environment: Record<string, string> = {}) =>
    gql(server.url, `mutation($input: RegisterTrainerInput!) { registerTrainer(input: $input) { id } }`, {
      input: { name, command, workingDirectory: REPO, environment, modelOutput: "{outputDir}/model.onnx", inputSpec: embeddingModelSpec(), backbone: "b", head: "h" },
    }, admin);

  it("masks trainer environments for everyone but ADMIN", async () => {
    await register("wandb-trainer", ["node", "-e", "0"], { WANDB_API_KEY: "wandb-secret-123", WANDB_PROJECT: "realism" });
    const query = `{ trainers { name environment } }`;
    for (const token of [undefined, writer]) {
      const response = await fetch(server.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query }),
      });
      const text = await response.text();
      expect(text).not.toContain("wandb-secret-123");
      const trainer = JSON.parse(text).data.trainers.find((t: any) => t.name === "wandb-trainer");
      expect(trainer.environment).toEqual({ WANDB_API_KEY: "********", WANDB_PROJECT: "********" });
    }
    const forAdmin = (await gqlData(server.url, query, {}, admin)).trainers.find((t: any) => t.name === "wandb-trainer");
    expect(forAdmin.environment.WANDB_API_KEY).toBe("wandb-secret-123");
  });

  it("gives a trainer an allow-listed environment and a run token that dies with the run", async () => {
    // Variables a server typically holds that a trainer must not see.
    const leaks = { DATABASE_URL: server.database.url, DATA_DIR: "/srv/realismlab", npm_config_cache: "/root/.npm", AWS_SECRET_ACCESS_KEY: "aws-secret" };
    Object.assign(process.env, leaks, { CUDA_VISIBLE_DEVICES: "0" });
    try {
      const dump = "require('fs').writeFileSync(process.argv[1] + '/env.json', JSON.stringify(process.env)); process.exit(2)";
      const trainerId = (await register("env-dump", ["node", "-e", dump, "{outputDir}"], { WANDB_API_KEY: "k" })).data.registerTrainer.id;
      const run = (await gqlData(server.url, `mutation($d: ID!, $t: ID!) { launchTraining(datasetId: $d, trainerId: $t) { id } }`, { d: datasetId, t: trainerId }, admin)).launchTraining;
      expect((await waitForEnd(run.id)).status).toBe("FAILED");
      const env = JSON.parse(await readFile(path.join(server.dataRoot, "models", run.id, "env.json"), "utf8"));
      for (const name of Object.keys(leaks)) expect(env[name], name).toBeUndefined();
      expect(Object.keys(env).filter((k) => k.startsWith("npm_"))).toEqual([]);
      expect(env).toMatchObject({ PATH: process.env.PATH, CUDA_VISIBLE_DEVICES: "0", WANDB_API_KEY: "k", REALISMLAB_RUN_ID: run.id });
      expect(env.REALISMLAB_API_URL).toBe(server.url);

      // The run token was good for this run only, for a bounded time, and is revoked now that the run is over.
      const { rows } = await db.query(`SELECT expires_at, revoked_at FROM api_token WHERE run_id = $1`, [run.id]);
      expect(rows).toHaveLength(1);
      expect(rows[0].revoked_at).not.toBeNull();
      expect(rows[0].expires_at.getTime() - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);
      const late = await gql(server.url, LOG, { id: run.id, value: 1 }, env.REALISMLAB_TOKEN);
      expect(late.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
      // The worker's own settling of the run is in its audit trail too.
      const [finish] = (await gqlData(server.url, AUDIT, { id: run.id })).run.auditEvents;
      expect(finish).toMatchObject({ action: "finish", tokenId: null, changes: { status: { from: "RUNNING", to: "FAILED" } } });
      expect(finish.actor).toMatch(/^worker .+:\d+$/);
      expect(finish.changes.error).toMatch(/trainer exited with code 2/);
    } finally {
      for (const name of [...Object.keys(leaks), "CUDA_VISIBLE_DEVICES"]) delete process.env[name];
    }
  });

  it("takes the trainer allow-list and token lifetime from the configuration, refusing bad entries", () => {
    const config = loadConfig({ TRAINER_ENV_ALLOW: "PATH, CUDA_*,WANDB_MODE", TRAINER_TOKEN_HOURS: "12" });
    expect(config.TRAINER_ENV_ALLOW).toEqual(["PATH", "CUDA_*", "WANDB_MODE"]);
    expect(config.TRAINER_TOKEN_HOURS).toBe(12);
    expect(loadConfig({}).TRAINER_ENV_ALLOW).not.toContain("DATABASE_URL");
    expect(() => loadConfig({ TRAINER_ENV_ALLOW: "PATH,*" })).toThrow(ConfigError);
    expect(() => loadConfig({ TRAINER_ENV_ALLOW: "DATA-DIR" })).toThrow(/TRAINER_ENV_ALLOW/);
    expect(() => loadConfig({ TRAINER_TOKEN_HOURS: "0" })).toThrow(/TRAINER_TOKEN_HOURS/);
  });

  it("never lets a param value become an option of the trainer command", async () => {
    const echo = "require('fs').writeFileSync(process.argv[1] + '/argv.json', JSON.stringify(process.argv.slice(2))); process.exit(2)";
    const trainerId = (await register("param-trainer", ["node", "-e", echo, "{outputDir}", "{param.note}", "--lr={param.lr}"])).data.registerTrainer.id;
    const launch = (params: unknown) =>
      gql(server.url, `mutation($d: ID!, $t: ID!, $p: JSON) { launchTraining(datasetId: $d, trainerId: $t, params: $p) { id } }`, { d: datasetId, t: trainerId, p: params }, admin);
    const before = (await db.query(`SELECT count(*)::int AS n FROM run WHERE kind = 'TRAIN'`)).rows[0].n;
    for (const note of ["--output=/etc/passwd", "-rf", -1]) {
      const refused = await launch({ note, lr: 0.1 });
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "params.note" });
      expect(refused.errors?.[0]?.message).toMatch(/starts with "-".*--option=\{param\.note\}/);
    }
    expect((await db.query(`SELECT count(*)::int AS n FROM run WHERE kind = 'TRAIN'`)).rows[0].n).toBe(before);
    // In --opt=value form a leading "-" is just a value.
    const run = (await launch({ note: "plain", lr: -0.5 })).data.launchTraining;
    await waitForEnd(run.id);
    expect(JSON.parse(await readFile(path.join(server.dataRoot, "models", run.id, "argv.json"), "utf8"))).toEqual(["plain", "--lr=-0.5"]);

    const program = await register("param-program", ["{param.program}", "x"]);
    expect(program.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "command" });
  });

  it("holds a training run's input to the data roots at launch and again when it starts", async () => {
    const fs = await import("node:fs/promises");
    const dir = path.join(server.dataRoot, "moved-set");
    await fs.mkdir(path.join(dir, "id_0"), { recursive: true });
    const moved = (await gqlData(server.url, `mutation($uri: String) { createDataset(input: { name: "moved-set", kind: SYNTHETIC, uri: $uri }) { id } }`, { uri: dir }, admin)).createDataset.id;
    const touch = "require('fs').writeFileSync(process.argv[1] + '/ran', 'yes')";
    const trainerId = (await register("escape-trainer", ["node", "-e", touch, "{outputDir}"])).data.registerTrainer.id;
    // The one worker slot is held by a run that waits for a file, so the next run stays QUEUED
    // while its folder is swapped for a symlink out of the data roots.
    const release = path.join(server.dataRoot, "hold-release");
    await fs.writeFile(release, "hold");
    const hold = "const fs=require('fs');const f=process.argv[1];const t=setInterval(()=>{if(!fs.existsSync(f))clearInterval(t)},50)";
    const holderId = (await register("holding-trainer", ["node", "-e", hold, release])).data.registerTrainer.id;
    const holder = (await gqlData(server.url, `mutation($d: ID!, $t: ID!) { launchTraining(datasetId: $d, trainerId: $t) { id } }`, { d: moved, t: holderId }, admin)).launchTraining;
    const run = (await gqlData(server.url, `mutation($d: ID!, $t: ID!) { launchTraining(datasetId: $d, trainerId: $t) { id } }`, { d: moved, t: trainerId }, admin)).launchTraining;
    for (let deadline = Date.now() + 30_000; ; ) {
      const { run: h } = await gqlData(server.url, `query($id: ID!) { run(id: $id) { status } }`, { id: holder.id });
      if (h.status === "RUNNING") break;
      if (Date.now() > deadline) throw new Error(`holding run still ${h.status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const outside = await fs.mkdtemp(path.join((await import("node:os")).tmpdir(), "realismlab-elsewhere-"));
    await fs.rm(dir, { recursive: true });
    await fs.symlink(outside, dir);
    try {
      await fs.rm(release);
      await waitForEnd(holder.id); // it writes no model, so it ends FAILED: only its slot matters here
      const ended = await waitForEnd(run.id);
      expect(ended.status).toBe("FAILED");
      expect(ended.error).toMatch(/dataset\.uri: .*moved-set" is outside the data roots/);
      await expect(fs.access(path.join(server.dataRoot, "models", run.id, "ran"))).rejects.toThrow(); // the trainer never started
      // A new launch on the escaped folder is refused at once.
      const refused = await gql(server.url, `mutation($d: ID!, $t: ID!) { launchTraining(datasetId: $d, trainerId: $t) { id } }`, { d: moved, t: trainerId }, admin);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "datasetId" });
      expect(refused.errors?.[0]?.message).toMatch(/outside the data roots/);
    } finally {
      await fs.rm(outside, { recursive: true, force: true });
    }
  });
});

describe("feature files", () => {
  it("refuses features holding NaN or Inf with a clear error", async () => {
    const bench = await writePairBenchmark(server.dataRoot, "lfw-nan", 60, 4);
    for (const [file, bad] of [["nan.npy", Number.NaN], ["inf.npy", Number.POSITIVE_INFINITY]] as const) {
      const values = new Float32Array(120 * 8).map((_, i) => Math.sin(i));
      values[5 * 8 + 3] = bad;
      const npy = path.join(server.dataRoot, file);
      writeNpyFloat32(npy, values, [120, 8]);
      const launched = await gql(server.url, `mutation($input: LaunchEvaluationInput!) { launchEvaluation(input: $input) { id } }`, {
        input: { benchmarks: [{ name: "LFW", dataPath: bench.path, features: { original: npy } }], options: { allowNonStandardSize: true } },
      }, admin);
      expect(launched.errors).toBeUndefined();
      const run = await waitForRun(server.url, launched.data.launchEvaluation[0].id);
      expect(run.status).toBe("FAILED");
      expect(run.error).toContain(`${npy} holds a non-finite value (${bad}) at row 5, column 3; features must be finite numbers`);
      expect(run.metrics ?? []).toEqual([]);
    }
  });
});
