// A real OpenSSH server on a free loopback port for the SSH transport's tests: a temp
// host key and one authorized client key (both made with ssh2's key generator), key
// authentication only, and `SetEnv` for what the remote commands need (SLURM_CONF).
// Where /usr/sbin/sshd is missing, `startSshd` returns null with the reason (CI=true: it throws).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { utils } from "ssh2";

export interface Sshd {
  port: number;
  user: string;
  /** The client's private key file, authorized on this server. */
  keyFile: string;
  /** A known_hosts file with this server's host key for [127.0.0.1]:port. */
  knownHostsFile: string;
  hostPublicKey: string;
  /** What sshd logged so far (LogLevel VERBOSE: every session and command). */
  log(): string;
  stop(): Promise<void>;
}

export function sshdUnavailable(): string | null {
  if (!existsSync("/usr/sbin/sshd")) return "SSH tests skipped: /usr/sbin/sshd is missing (apt-get install -y openssh-server)";
  if (process.getuid?.() !== 0) return "SSH tests skipped: sshd needs root here";
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

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () => {
      socket.end();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });

export async function startSshd(setEnv: Record<string, string> = {}): Promise<Sshd | null> {
  const unavailable = sshdUnavailable();
  if (unavailable) {
    if (process.env.CI === "true") throw new Error(`${unavailable}; CI must run the SSH tests (.ci/run installs openssh-server)`);
    console.warn(unavailable);
    return null;
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), "realismlab-sshd-"));
  await mkdir("/run/sshd", { recursive: true }); // sshd's privilege separation folder
  const host = utils.generateKeyPairSync("ed25519");
  const client = utils.generateKeyPairSync("ed25519");
  const hostKeyFile = path.join(dir, "host_ed25519");
  const keyFile = path.join(dir, "client_ed25519");
  await writeFile(hostKeyFile, host.private, { mode: 0o600 });
  await writeFile(keyFile, client.private, { mode: 0o600 });
  await writeFile(path.join(dir, "authorized_keys"), `${client.public}\n`, { mode: 0o600 });
  const port = await freePort();
  const knownHostsFile = path.join(dir, "known_hosts");
  const hostPublicKey = host.public.split(" ").slice(0, 2).join(" ");
  await writeFile(knownHostsFile, `[127.0.0.1]:${port} ${hostPublicKey}\n`);
  const conf = path.join(dir, "sshd_config");
  await writeFile(
    conf,
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${hostKeyFile}`,
      `PidFile ${dir}/sshd.pid`,
      `AuthorizedKeysFile ${dir}/authorized_keys`,
      "PubkeyAuthentication yes",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PermitRootLogin prohibit-password",
      "StrictModes no",
      "UsePAM no",
      "LogLevel VERBOSE",
      ...(Object.keys(setEnv).length ? [`SetEnv ${Object.entries(setEnv).map(([k, v]) => `${k}=${v}`).join(" ")}`] : []),
      "",
    ].join("\n"),
  );
  let output = "";
  const child: ChildProcess = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", conf], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`sshd did not start: ${output.slice(-2_000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, user: os.userInfo().username, keyFile, knownHostsFile, hostPublicKey, log: () => output, stop };
}
