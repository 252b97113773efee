// The slurm executor reaching Slurm over SSH (ssh-access.ts) through a real sshd on
// loopback (sshd.ts) to the real one-node Slurm (slurm-cluster.ts). This process has
// no SLURM_CONF: only the SSH sessions (sshd's SetEnv) reach the cluster, so a run
// that is submitted, followed and cancelled went through SSH. A wrong host key is
// refused before anything is sent, and hostile argument text stays one argument.
import { execFile } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { utils } from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../../src/app";
import { loadConfig } from "../../src/config/config";
import { AppError } from "../../src/errors";
import { createSlurmExecutor } from "../../src/executors/slurm/slurm-executor";
import { fingerprintOf, knownKeysFor, sshSlurmAccess } from "../../src/executors/slurm/ssh-access";
import { embeddingModelSpec } from "../../src/fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { gqlData } from "../helpers/graphql-client";
import { setUpTransfer } from "../helpers/transfer-setup";
import { slurmUnavailable, startSlurmCluster, type SlurmCluster } from "./slurm-cluster";
import { sshdUnavailable, startSshd, type Sshd } from "./sshd";

const REPO = path.resolve(".");
const RUN_FIELDS = "id status error executor executorJobId executorNode executorReason";
const skip = !!(slurmUnavailable() ?? sshdUnavailable()) && process.env.CI !== "true";

let cluster: SlurmCluster | null = null;
let sshd: Sshd | null = null;
let database: TestDatabase;
let dataRoot: string;
let holdDir: string;
let app: RunningApp;
let url: string;
let datasetId: string;
let trainerId: string;

beforeAll(async () => {
  if (skip) return;
  delete process.env.SLURM_CONF;
  cluster = await startSlurmCluster();
  sshd = await startSshd({ SLURM_CONF: cluster!.conf });
  database = await createTestDatabase();
  dataRoot = await mkdtemp(path.join(os.tmpdir(), "realismlab-ssh-data-"));
  holdDir = await mkdtemp(path.join(os.tmpdir(), "realismlab-ssh-hold-"));
  const config = loadConfig({
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
    SLURM_WORK_DIR: path.join(cluster!.dir, "jobs"),
    SLURM_POLL_MS: "500",
    SLURM_SSH_HOST: "127.0.0.1",
    SLURM_SSH_PORT: String(sshd!.port),
    SLURM_SSH_USER: sshd!.user,
    SLURM_SSH_KEY_FILE: sshd!.keyFile,
    SLURM_SSH_KNOWN_HOSTS: sshd!.knownHostsFile,
  });
  app = await startApp(config);
  url = app.http.graphqlUrl;
  datasetId = (await setUpTransfer(url, dataRoot, { identities: 2, imagesPerIdentity: 1 })).datasetId;
  const command = ["node", "--import", "tsx", path.join(REPO, "examples/trainer/train.ts"), "--data", "{datasetPath}", "--out", "{outputDir}", "--seed", "{seed}",
    "--epochs", "2", "--sleep-ms", "50", "--hold-while-exists", path.join(holdDir, "hold-{seed}")];
  trainerId = (await gqlData(url, `mutation($input: RegisterTrainerInput!) { registerTrainer(input: $input) { id } }`, {
    input: { name: "ssh-trainer", command, workingDirectory: REPO, modelOutput: "{outputDir}/model.onnx", inputSpec: embeddingModelSpec(), backbone: "IR50-fixture", head: "AdaFace" },
  })).registerTrainer.id;
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await database?.drop();
  await sshd?.stop();
  await cluster?.stop();
  for (const dir of [dataRoot, holdDir]) if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

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
  throw new Error(`run ${id} not ${what} in ${timeoutMs} ms; last: ${JSON.stringify(run)}; sshd: ${sshd!.log().slice(-1_500)}`);
}

const launch = async (seed: number) =>
  (await gqlData(url, `mutation($d: ID!, $t: ID!, $s: Int) { launchTraining(datasetId: $d, trainerId: $t, seed: $s) { ${RUN_FIELDS} } }`, { d: datasetId, t: trainerId, s: seed })).launchTraining;

const access = (knownHosts: string) =>
  sshSlurmAccess({ host: "127.0.0.1", port: sshd!.port, username: sshd!.user, privateKey: readFileSync(sshd!.keyFile), knownHosts });

describe.skipIf(skip)("slurm executor over SSH to a real sshd", () => {
  it("this process alone cannot reach the cluster (no SLURM_CONF): what follows went through SSH", async () => {
    expect(process.env.SLURM_CONF).toBeUndefined();
    await expect(promisify(execFile)("sinfo", ["-h"], { timeout: 5_000 })).rejects.toThrow();
  });

  it("sbatch and squeue go through SSH: a run is submitted, runs on the node and SUCCEEDS", async () => {
    const run = await launch(1);
    expect(run).toMatchObject({ status: "QUEUED", executor: "slurm" });
    const done = await waitRun(run.id, (r) => ["SUCCEEDED", "FAILED", "CANCELLED"].includes(r.status), "ended", 90_000);
    expect(done).toMatchObject({ status: "SUCCEEDED", executorNode: cluster!.node });
    expect(done.executorJobId).toMatch(/^\d+$/);
    expect(sshd!.log()).toMatch(/Accepted publickey for \S+ from 127\.0\.0\.1/);
  }, 120_000);

  it("cancelRun scancels over SSH", async () => {
    await writeFile(path.join(holdDir, "hold-2"), "");
    try {
      const run = await launch(2);
      const running = await waitRun(run.id, (r) => r.status === "RUNNING" && r.executorJobId, "RUNNING");
      await gqlData(url, `mutation($id: ID!) { cancelRun(id: $id) { status } }`, { id: run.id });
      expect(await runOf(run.id)).toMatchObject({ status: "CANCELLED", executorReason: "CANCELLED (scancel by RealismLab)" });
      const ssh = access(readFileSync(sshd!.knownHostsFile, "utf8"));
      const deadline = Date.now() + 30_000;
      let queue = "";
      do {
        queue = (await ssh.run("squeue", ["-h", "-o", "%i"])).stdout;
        if (!queue.split("\n").includes(running.executorJobId)) break;
        await new Promise((r) => setTimeout(r, 250));
      } while (Date.now() < deadline);
      ssh.close();
      expect(queue.split("\n")).not.toContain(running.executorJobId);
    } finally {
      await rm(path.join(holdDir, "hold-2"), { force: true });
    }
  }, 90_000);

  it("passes hostile argument text as one argument, never as shell syntax", async () => {
    const marker = path.join(os.tmpdir(), `realismlab-ssh-pwned-${process.pid}`);
    const ssh = access(readFileSync(sshd!.knownHostsFile, "utf8"));
    const hostile = `%P $(touch ${marker}) \`touch ${marker}\`; touch ${marker} | "'`;
    const result = await ssh.run("sinfo", ["-h", "-o", hostile], { RL_VALUE: `it's $(touch ${marker}) "quoted"` });
    ssh.close();
    expect(result.code, result.stderr).toBe(0);
    // sinfo got the text as its format, byte for byte (only %P replaced by the partition).
    expect(result.stdout.trim()).toBe(hostile.replace("%P", "gpu*"));
    expect(existsSync(marker)).toBe(false);
  });

  it("refuses a host key other than the configured one, with a clear error, before sending anything", async () => {
    const other = utils.generateKeyPairSync("ed25519").public.split(" ").slice(0, 2).join(" ");
    const ssh = access(`[127.0.0.1]:${sshd!.port} ${other}\n`);
    const result = await ssh.run("sinfo", ["-h"]);
    ssh.close();
    expect(result.code).toBe(255);
    const offered = fingerprintOf(Buffer.from(sshd!.hostPublicKey.split(" ")[1]!, "base64"));
    expect(result.stderr).toBe(
      `SSH to ${sshd!.user}@127.0.0.1:${sshd!.port}: the host key (${offered}) is not the one configured in SLURM_SSH_KNOWN_HOSTS / SLURM_SSH_HOST_FINGERPRINT; refusing to connect`,
    );
    // ...and a configured fingerprint of the right key is accepted.
    const byFingerprint = sshSlurmAccess({ host: "127.0.0.1", port: sshd!.port, username: sshd!.user, privateKey: readFileSync(sshd!.keyFile), fingerprint: offered });
    expect((await byFingerprint.run("sinfo", ["-h", "-o", "%P"])).stdout.trim()).toBe("gpu*");
    byFingerprint.close();
  });

  it("a launch whose Slurm cannot be reached (wrong host key) is refused with EXECUTOR_UNAVAILABLE and the reason, not an opaque error", async () => {
    const other = utils.generateKeyPairSync("ed25519").public.split(" ").slice(0, 2).join(" ");
    const ssh = access(`[127.0.0.1]:${sshd!.port} ${other}\n`);
    const executor = createSlurmExecutor(app.services, ssh, { workDir: holdDir, jobEnv: async () => ({}), extraSbatch: [], envSetup: [], repoDir: REPO }, () => undefined);
    const refused = await executor.checkResources({ gpus: 1 }).then(() => null, (error: unknown) => error);
    ssh.close();
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: "EXECUTOR_UNAVAILABLE", field: "executor" });
    expect((refused as AppError).message).toMatch(/^executor: Slurm cannot be asked for its partitions now \(sinfo failed\): SSH to .*the host key \(SHA256:[^)]+\) is not the one configured/);
  });
});

describe("known_hosts reading", () => {
  it("matches plain and hashed host names, with the port in brackets, and keeps @revoked keys apart", () => {
    const key = utils.generateKeyPairSync("ed25519").public.split(" ")[1]!;
    const revokedKey = utils.generateKeyPairSync("ed25519").public.split(" ")[1]!;
    const salt = randomBytes(20);
    const hashed = `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update("login.example.org").digest("base64")}`;
    const knownHosts = [
      "# a comment",
      `${hashed} ssh-ed25519 ${key}`,
      `[login.example.org]:2222,other ssh-ed25519 ${key}`,
      `@revoked login.example.org ssh-ed25519 ${revokedKey}`,
      `elsewhere.example.org ssh-ed25519 ${revokedKey}`,
    ].join("\n");
    const on22 = knownKeysFor(knownHosts, "login.example.org", 22);
    expect(on22.keys.map((k) => k.toString("base64"))).toEqual([key]);
    expect(on22.revoked.map((k) => k.toString("base64"))).toEqual([revokedKey]);
    expect(knownKeysFor(knownHosts, "login.example.org", 2222).keys.map((k) => k.toString("base64"))).toEqual([key]);
    expect(knownKeysFor(knownHosts, "nowhere.example.org", 22).keys).toEqual([]);
  });

  it("refuses settings that would check no host key", () => {
    const privateKey = Buffer.from("unused");
    expect(() => sshSlurmAccess({ host: "h", port: 22, username: "u", privateKey })).toThrow(/SLURM_SSH_KNOWN_HOSTS or SLURM_SSH_HOST_FINGERPRINT/);
    expect(() => sshSlurmAccess({ host: "h", port: 22, username: "u", privateKey, knownHosts: "other ssh-ed25519 AAAA\n" })).toThrow(/lists no key for h/);
  });
});

it.runIf(skip)("skips the SSH tests where sshd or Slurm is missing", () => {
  expect(slurmUnavailable() ?? sshdUnavailable()).toMatch(/skipped/);
});
