// Launch-time reads of benchmark files (.npy headers, insightface .bin pickles) run in a child
// process, not in the API process: a length read from a hostile file once reached a native call
// unchecked and aborted the whole server (`Assertion failed: args[3]->IsInt32()`). Lengths are
// bounded now, but an abort in a native call cannot be caught, and a worker thread would take the
// process down with it; in a child it costs only this one request, answered as BAD_USER_INPUT.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ProbeRequest, ProbeReply } from "./file-probe-child";

const CHILD = fileURLToPath(new URL("./file-probe-child.ts", import.meta.url));
/** The checkout's root, where `--import tsx` resolves. */
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PROBE_TIMEOUT_MS = 120_000;
const STDERR_KEPT = 2_000;

type Result<K extends ProbeRequest["kind"]> = K extends "npyShape" ? number[] : boolean[];

/** Runs one read in a fresh child process; its failure (an error, a crash, a timeout) rejects with a message for the client. */
export function probeFile<K extends ProbeRequest["kind"]>(kind: K, file: string): Promise<Result<K>> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [], {
      cwd: ROOT,
      execArgv: ["--import", "tsx"],
      serialization: "advanced",
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-STDERR_KEPT);
    });
    let settled = false;
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      action();
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      settle(() => reject(new Error(`${file}: reading it took longer than ${PROBE_TIMEOUT_MS / 1000} s`)));
    }, PROBE_TIMEOUT_MS);
    child.once("message", (reply: ProbeReply) => {
      settle(() => (reply.ok ? resolve(reply.value as Result<K>) : reject(new Error(reply.message))));
    });
    child.once("exit", (code, signal) => {
      if (!settled && stderr) console.warn(`file probe for ${file} stopped (${signal ?? `exit ${code}`}):\n${stderr}`);
      settle(() => reject(new Error(`${file}: the file could not be read (the reader stopped: ${signal ?? `exit code ${code}`})`)));
    });
    child.once("error", (error) => settle(() => reject(error)));
    child.send({ kind, file } satisfies ProbeRequest);
  });
}
