// A real one-node Slurm for tests, without systemd (DESIGN.md): munged as user
// munge on its own socket, `slurmctld -i` and `slurmd` reading SLURM_CONF from a
// temp dir, accounting off, two fake GPUs (`mknod c 1 3`) behind `Gres=gpu:2`.
// Needs Debian's slurmctld, slurmd, slurm-client and munge and root; where they are
// missing, `startSlurmCluster` returns null with the reason (CI=true: it throws).
import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface SlurmCluster {
  dir: string;
  conf: string;
  node: string;
  /** Environment for Slurm commands (SLURM_CONF). */
  env: Record<string, string>;
  squeue(): Promise<Array<{ id: string; name: string; state: string; reason: string }>>;
  stop(): Promise<void>;
}

const BINARIES = ["/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged", "/usr/bin/sbatch", "/usr/bin/squeue", "/usr/bin/scontrol", "/usr/bin/scancel", "/usr/bin/sinfo"];

export function slurmUnavailable(): string | null {
  const missing = BINARIES.filter((file) => !existsSync(file));
  if (missing.length) return `Slurm test cluster skipped: missing ${missing.join(", ")} (apt-get install -y slurmctld slurmd slurm-client munge)`;
  if (process.getuid?.() !== 0) return "Slurm test cluster skipped: slurmd and mknod need root";
  if (!existsSync("/etc/munge/munge.key")) return "Slurm test cluster skipped: /etc/munge/munge.key is missing (the munge package creates it)";
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function pidOf(file: string): Promise<number | null> {
  const text = await readFile(file, "utf8").catch(() => "");
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Slurm test cluster: ${what} within ${timeoutMs} ms`);
}

export async function startSlurmCluster(): Promise<SlurmCluster | null> {
  const unavailable = slurmUnavailable();
  if (unavailable) {
    if (process.env.CI === "true") throw new Error(`${unavailable}; CI must run the Slurm tests (.ci/run installs the packages)`);
    console.warn(unavailable);
    return null;
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), "realismlab-slurm-"));
  await chmod(dir, 0o755);
  const node = execFileSync("hostname", ["-s"], { encoding: "utf8" }).trim();
  const mungeDir = path.join(dir, "munge");
  await mkdir(mungeDir);
  await chown(mungeDir, Number(execFileSync("id", ["-u", "munge"], { encoding: "utf8" })), Number(execFileSync("id", ["-g", "munge"], { encoding: "utf8" })));
  for (const sub of ["state", "spool", "jobs"]) await mkdir(path.join(dir, sub));
  await chmod(path.join(dir, "jobs"), 0o777);
  await run("mknod", [path.join(dir, "gpu0"), "c", "1", "3"]);
  await run("mknod", [path.join(dir, "gpu1"), "c", "1", "3"]);
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
  const socket = path.join(mungeDir, "munge.socket");
  const conf = path.join(dir, "slurm.conf");
  await writeFile(
    conf,
    [
      "ClusterName=realismlabtest",
      // Addresses pinned to loopback: a CI container may not resolve its own hostname.
      `SlurmctldHost=${node}(127.0.0.1)`,
      "SlurmUser=root",
      "AuthType=auth/munge",
      `AuthInfo=socket=${socket}`,
      "CryptoType=crypto/munge",
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${slurmdPort}`,
      `StateSaveLocation=${dir}/state`,
      `SlurmdSpoolDir=${dir}/spool`,
      `SlurmctldPidFile=${dir}/slurmctld.pid`,
      `SlurmdPidFile=${dir}/slurmd.pid`,
      `SlurmctldLogFile=${dir}/slurmctld.log`,
      `SlurmdLogFile=${dir}/slurmd.log`,
      "ProctrackType=proctrack/linuxproc",
      "TaskPlugin=task/none",
      "SchedulerType=sched/backfill",
      "SelectType=select/cons_tres",
      "SelectTypeParameters=CR_Core_Memory",
      "DefMemPerCPU=100",
      "GresTypes=gpu",
      "AccountingStorageType=accounting_storage/none",
      "JobAcctGatherType=jobacct_gather/none",
      "JobCompType=jobcomp/none",
      "MpiDefault=none",
      "ReturnToService=2",
      // Time limits enforced without grace; a killed job gets 2 s between SIGTERM and SIGKILL.
      "OverTimeLimit=0",
      "KillWait=2",
      "MinJobAge=600",
      "InactiveLimit=0",
      // The node's CPUs and memory as declared here, whatever the test machine has.
      "SlurmdParameters=config_overrides",
      `NodeName=${node} NodeAddr=127.0.0.1 CPUs=4 RealMemory=4000 Gres=gpu:2 State=UNKNOWN`,
      `PartitionName=gpu Nodes=${node} Default=YES MaxTime=INFINITE State=UP`,
      "",
    ].join("\n"),
  );
  await writeFile(path.join(dir, "gres.conf"), `NodeName=${node} Name=gpu File=${dir}/gpu[0-1]\n`);
  const env = { SLURM_CONF: conf };
  const daemonEnv = { ...process.env, ...env };
  const stop = async () => {
    // Jobs first (only this cluster's: SLURM_CONF), so no slurmstepd outlives the daemons.
    await run("scancel", ["--full", "--user=root"], { env: daemonEnv }).catch(() => undefined);
    await waitFor(async () => (await run("squeue", ["-h"], { env: daemonEnv })).stdout.trim() === "", "its jobs to end", 20_000).catch(() => undefined);
    for (const pidFile of [`${dir}/slurmd.pid`, `${dir}/slurmctld.pid`, `${mungeDir}/munged.pid`]) {
      const pid = await pidOf(pidFile);
      if (!pid) continue;
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        continue;
      }
      await waitFor(async () => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      }, `pid ${pid} to exit`, 15_000).catch(() => process.kill(pid, "SIGKILL"));
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await run("runuser", ["-u", "munge", "--", "/usr/sbin/munged", `--socket=${socket}`, `--pid-file=${mungeDir}/munged.pid`, `--log-file=${mungeDir}/munged.log`, `--seed-file=${mungeDir}/seed`]);
    await run("/usr/sbin/slurmctld", ["-i"], { env: daemonEnv });
    await run("/usr/sbin/slurmd", [], { env: daemonEnv });
    await waitFor(async () => {
      const { stdout } = await run("sinfo", ["-h", "-o", "%t"], { env: daemonEnv });
      return stdout.trim() === "idle";
    }, "the node to become idle");
  } catch (error) {
    const logs = await Promise.all(["slurmctld.log", "slurmd.log"].map((f) => readFile(path.join(dir, f), "utf8").catch(() => "")));
    await stop();
    throw new Error(`${(error as Error).message}\n${logs.map((l) => l.slice(-2_000)).join("\n")}`);
  }
  return {
    dir,
    conf,
    node,
    env,
    async squeue() {
      const { stdout } = await run("squeue", ["-h", "-o", "%i|%j|%T|%r"], { env: daemonEnv });
      return stdout.split("\n").filter(Boolean).map((line) => {
        const [id = "", name = "", state = "", reason = ""] = line.split("|");
        return { id, name, state, reason };
      });
    },
    stop,
  };
}
