// How the server reaches Slurm: its client commands with their argv. Here the local
// access (the server runs on a login node): execFile, never a shell, every argument a
// separate argv entry. ssh-access.ts reaches a login node over SSH.
import { execFile } from "node:child_process";

export interface SlurmCommandResult {
  stdout: string;
  stderr: string;
  code: number;
}

export type SlurmCommand = "sbatch" | "squeue" | "scontrol" | "scancel" | "sinfo" | "sacct";

export interface SlurmAccess {
  run(command: SlurmCommand, args: string[], env?: Record<string, string>): Promise<SlurmCommandResult>;
  /** Ends a kept connection (SSH). */
  close?(): void;
}

const TIMEOUT_MS = 30_000;
const MAX_OUTPUT = 4 * 1024 * 1024;

export function localSlurmAccess(options: { binDir?: string | undefined; env?: NodeJS.ProcessEnv } = {}): SlurmAccess {
  return {
    run(command, args, env) {
      const file = options.binDir ? `${options.binDir}/${command}` : command;
      return new Promise((resolve) => {
        execFile(file, args, { timeout: TIMEOUT_MS, maxBuffer: MAX_OUTPUT, env: { ...(options.env ?? process.env), ...env } }, (error, stdout, stderr) => {
          const code = error ? (typeof (error as NodeJS.ErrnoException).code === "number" ? ((error as unknown as { code: number }).code) : 127) : 0;
          resolve({ stdout: String(stdout), stderr: String(stderr || (error && !stderr ? error.message : "")), code });
        });
      });
    },
  };
}
