// Runs a trainer command in its own process group, line by line. Cancel sends
// SIGTERM to the whole group (a Python trainer's data-loader children too) and
// SIGKILL after a grace period when the trainer ignores it.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

export interface TrainerProcessOptions {
  argv: readonly string[];
  cwd: string;
  env: Record<string, string>;
  signal: AbortSignal;
  killGraceMs: number;
  onLine(stream: "stdout" | "stderr", line: string): void;
}

export interface TrainerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The process was stopped because `signal` aborted. */
  aborted: boolean;
}

export function runTrainerProcess(options: TrainerProcessOptions): Promise<TrainerExit> {
  const [command, ...args] = options.argv;
  return new Promise((resolve, reject) => {
    const child = spawn(command!, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true, // its own process group, so a cancel reaches its children
      stdio: ["ignore", "pipe", "pipe"],
    });
    let aborted = false;
    let killTimer: NodeJS.Timeout | null = null;
    const killGroup = (sig: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, sig);
      } catch {
        /* already gone */
      }
    };
    const onAbort = () => {
      aborted = true;
      killGroup("SIGTERM");
      killTimer = setTimeout(() => killGroup("SIGKILL"), options.killGraceMs);
    };
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener("abort", onAbort, { once: true });

    const streams = [
      createInterface({ input: child.stdout! }).on("line", (line) => options.onLine("stdout", line)),
      createInterface({ input: child.stderr! }).on("line", (line) => options.onLine("stderr", line)),
    ];
    const closed = Promise.all(streams.map((s) => new Promise((r) => s.once("close", r))));
    child.once("error", (error) => {
      options.signal.removeEventListener("abort", onAbort);
      reject(new Error(`could not start trainer ${JSON.stringify(command)}: ${error.message}`));
    });
    child.once("exit", async (code, sig) => {
      options.signal.removeEventListener("abort", onAbort);
      if (killTimer) clearTimeout(killTimer);
      killGroup("SIGKILL"); // leave no orphans behind
      await closed;
      resolve({ code, signal: sig, aborted });
    });
  });
}
