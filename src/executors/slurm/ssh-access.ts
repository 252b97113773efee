// Slurm's client commands on a login node over SSH (ssh2): key authentication only,
// and the login node's host key checked against a known_hosts file or a SHA256
// fingerprint before anything is sent. The remote command line is built with
// shell-quote from a fixed command name and argv entries, so no value is ever shell
// syntax; environment values travel on stdin, not in argv (no secrets in `ps`).
// One connection is kept and re-opened when it drops.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { quote } from "shell-quote";
import { Client } from "ssh2";
import type { SlurmAccess, SlurmCommandResult } from "./slurm-commands";

export interface SshSettings {
  host: string;
  port: number;
  username: string;
  /** The private key (OpenSSH or PEM), as read from SLURM_SSH_KEY_FILE. */
  privateKey: Buffer;
  /** Contents of a known_hosts file (plain or hashed host names). */
  knownHosts?: string | undefined;
  /** Or the host key's fingerprint as `ssh-keygen -lf` prints it: SHA256:base64. */
  fingerprint?: string | undefined;
  /** Folder of the Slurm commands on the login node (default: its PATH). */
  binDir?: string | undefined;
}

const TIMEOUT_MS = 30_000;
const MAX_OUTPUT = 4 * 1024 * 1024;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** Reads `export`-style lines from stdin, then runs the command with its arguments ("$@"). */
const WITH_ENV_FROM_STDIN = 'set -a; . /dev/stdin; set +a; exec "$@"';

export function fingerprintOf(key: Buffer): string {
  return `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
}

/** The host keys (raw blobs) that known_hosts lists for host:port; @revoked keys apart. */
export function knownKeysFor(knownHosts: string, host: string, port: number): { keys: Buffer[]; revoked: Buffer[] } {
  const name = port === 22 ? host : `[${host}]:${port}`;
  const keys: Buffer[] = [];
  const revoked: Buffer[] = [];
  for (const raw of knownHosts.split("\n")) {
    const fields = raw.trim().split(/\s+/);
    if (!fields[0] || fields[0].startsWith("#")) continue;
    const marker = fields[0].startsWith("@") ? fields.shift() : undefined;
    if (marker === "@cert-authority") continue; // certificates are not supported: such a line trusts nothing here
    const [hosts = "", , blob = ""] = fields;
    const matches = hosts.split(",").some((pattern) => {
      if (pattern.startsWith("|1|")) {
        const [, , salt = "", hash = ""] = pattern.split("|");
        const expected = createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest();
        const given = Buffer.from(hash, "base64");
        return given.length === expected.length && timingSafeEqual(given, expected);
      }
      return pattern === name;
    });
    if (matches && blob) (marker === "@revoked" ? revoked : keys).push(Buffer.from(blob, "base64"));
  }
  return { keys, revoked };
}

/** Fails fast on settings that would check nothing. */
export function hostKeyCheck(settings: Pick<SshSettings, "host" | "port" | "knownHosts" | "fingerprint">): (key: Buffer) => boolean {
  if (!settings.knownHosts && !settings.fingerprint) throw new Error("SSH to Slurm needs SLURM_SSH_KNOWN_HOSTS or SLURM_SSH_HOST_FINGERPRINT: the login node's host key is always checked");
  const known = settings.knownHosts ? knownKeysFor(settings.knownHosts, settings.host, settings.port) : { keys: [], revoked: [] };
  if (settings.knownHosts && !settings.fingerprint && !known.keys.length) {
    throw new Error(`SLURM_SSH_KNOWN_HOSTS lists no key for ${settings.port === 22 ? settings.host : `[${settings.host}]:${settings.port}`}`);
  }
  return (key) => {
    if (known.revoked.some((k) => k.equals(key))) return false;
    if (settings.fingerprint && fingerprintOf(key) === settings.fingerprint.replace(/=+$/, "")) return true;
    return known.keys.some((k) => k.equals(key));
  };
}

export function sshSlurmAccess(settings: SshSettings, log: (message: string) => void = () => {}): SlurmAccess & { close(): void } {
  const verify = hostKeyCheck(settings);
  const where = `${settings.username}@${settings.host}:${settings.port}`;
  let connection: Promise<Client> | null = null;

  function connect(): Promise<Client> {
    return new Promise((resolve, reject) => {
      const client = new Client();
      let offered: string | null = null;
      client
        .on("ready", () => resolve(client))
        .on("error", (error) => {
          connection = null;
          reject(offered ? new Error(`SSH to ${where}: the host key (${offered}) is not the one configured in SLURM_SSH_KNOWN_HOSTS / SLURM_SSH_HOST_FINGERPRINT; refusing to connect`) : new Error(`SSH to ${where}: ${error.message}`));
        })
        .on("close", () => {
          connection = null;
        })
        .connect({
          host: settings.host,
          port: settings.port,
          username: settings.username,
          privateKey: settings.privateKey,
          readyTimeout: TIMEOUT_MS,
          keepaliveInterval: 15_000,
          hostVerifier: (key: Buffer) => {
            if (verify(key)) return true;
            offered = fingerprintOf(key);
            return false;
          },
        });
    });
  }

  async function exec(line: string, stdin: string): Promise<SlurmCommandResult> {
    connection ??= connect();
    const client = await connection;
    return new Promise((resolve, reject) => {
      client.exec(line, (error, channel) => {
        if (error) return reject(error);
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        let size = 0;
        let truncated = false;
        const timer = setTimeout(() => {
          truncated = true;
          channel.close();
        }, TIMEOUT_MS);
        const collect = (into: Buffer[]) => (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_OUTPUT) {
            truncated = true;
            channel.close();
            return;
          }
          into.push(chunk);
        };
        channel.on("data", collect(out));
        channel.stderr.on("data", collect(err));
        channel.on("close", (code: number | null) => {
          clearTimeout(timer);
          const stderr = Buffer.concat(err).toString("utf8");
          resolve({
            stdout: Buffer.concat(out).toString("utf8"),
            stderr: truncated ? `${stderr}\n(ssh: output over ${MAX_OUTPUT} bytes or ${TIMEOUT_MS} ms: cut off)` : stderr,
            code: truncated ? 124 : (code ?? 255),
          });
        });
        channel.end(stdin);
      });
    });
  }

  return {
    async run(command, args, env = {}) {
      const names = Object.keys(env);
      const bad = names.find((name) => !ENV_NAME.test(name));
      if (bad) throw new Error(`not an environment variable name: ${JSON.stringify(bad)}`);
      const file = settings.binDir ? `${settings.binDir}/${command}` : command;
      const line = quote(["sh", "-c", WITH_ENV_FROM_STDIN, "sh", file, ...args]);
      const stdin = names.map((name) => `${name}=${quote([env[name]!])}\n`).join("");
      try {
        return await exec(line, stdin);
      } catch (error) {
        log((error as Error).message);
        return { stdout: "", stderr: (error as Error).message, code: 255 };
      }
    },
    close() {
      void connection?.then((client) => client.end(), () => undefined);
      connection = null;
    },
  };
}
