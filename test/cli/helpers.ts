// Runs the `realismlab` command the way users do: a child process of the bin
// launcher (bin/realismlab.mjs, TypeScript through tsx), configured by environment.
import { spawn } from "node:child_process";
import path from "node:path";
import { startChild, type Child } from "../helpers/process";

export const BIN = path.resolve("bin/realismlab.mjs");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a CLI child: the server URL, no token unless given. */
export function cliEnv(url: string, extra: Record<string, string> = {}): Record<string, string> {
  return { REALISMLAB_URL: url, REALISMLAB_TOKEN: "", ...extra };
}

export function cli(args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`realismlab ${args.join(" ")} did not finish in ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A long-lived CLI child (e.g. `watch`) whose output can be waited on. */
export function startCli(args: string[], env: Record<string, string>): Child {
  return startChild(process.execPath, [BIN, ...args], env);
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The ids a launch printed on stdout (one a line). */
export function ids(result: CliResult): string[] {
  return result.stdout.split("\n").map((l) => l.trim()).filter(Boolean);
}

export function describeResult(result: CliResult): string {
  return `exit ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
}
