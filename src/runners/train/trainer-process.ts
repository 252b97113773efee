// Runs a trainer command, line by line, under a small supervisor process
// (trainer-supervisor.mjs) that leads the trainer's process group: a cancel sends
// SIGTERM to the whole group (a Python trainer's data-loader children too) and
// SIGKILL after a grace period when the trainer ignores it; and when the worker
// dies (even kill -9), the supervisor sees its stdin pipe close and ends the group.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";

const SUPERVISOR = fileURLToPath(new URL("./trainer-supervisor.mjs", import.meta.url));

export interface TrainerProcessOptions {
  argv: readonly string[];
  cwd: string;
  env: Record<string, string>;
  signal: AbortSignal;
  killGraceMs: number;
  onLine(stream: "stdout" | "stderr", line: string): void;
  /** Told the process group id as soon as the trainer's group exists. */
  onStart?(processGroup: number): void;
}

export interface TrainerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The process was stopped because `signal` aborted. */
  aborted: boolean;
}

/** Sends `signal` to a process group; false when it no longer exists. */
export function signalProcessGroup(processGroup: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-processGroup, signal);
    return true;
  } catch {
    return false;
  }
}

export function runTrainerProcess(options: TrainerProcessOptions): Promise<TrainerExit> {
  const [command, ...args] = options.argv;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SUPERVISOR, String(options.killGraceMs), command!, ...args], {
      cwd: options.cwd,
      env: options.env,
      detached: true, // its own process group, led by the supervisor, so a cancel reaches every child
      // stdin stays open and unused: it closes only when this process dies, which tells the supervisor.
      stdio: ["pipe", "pipe", "pipe"],
    });
    let aborted = false;
    let killTimer: NodeJS.Timeout | null = null;
    const killGroup = (sig: NodeJS.Signals) => {
      if (child.pid) signalProcessGroup(child.pid, sig);
    };
    const onAbort = () => {
      aborted = true;
      killGroup("SIGTERM");
      killTimer = setTimeout(() => killGroup("SIGKILL"), options.killGraceMs);
    };
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener("abort", onAbort, { once: true });
    if (child.pid) options.onStart?.(child.pid);
    child.stdin!.on("error", () => undefined);

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
      child.stdin!.destroy();
      await closed;
      resolve({ code, signal: sig, aborted });
    });
  });
}
