// A trainer's keeper, started by the worker: it leads the trainer's process group
// and ends the whole group as soon as the worker is gone (its stdin pipe from the
// worker closes, or its parent changes), so a trainer never outlives a kill -9 of
// the server. Usage: node trainer-supervisor.mjs <killGraceMs> <command> [args...]
// Plain JavaScript: started with `node` alone, no loader.
import { spawn } from "node:child_process";

const [graceArg, command, ...args] = process.argv.slice(2);
const killGraceMs = Number(graceArg) || 0;
const parentPid = process.ppid;
let stopping = false;

function signalGroup(signal) {
  try {
    process.kill(-process.pid, signal);
  } catch {
    /* group already gone */
  }
}

// The worker's cancel signals the whole group; the trainer handles it, and this
// process waits for the trainer to report how it ended.
process.on("SIGTERM", () => {});
process.on("SIGINT", () => {});
process.on("SIGHUP", () => {});

function workerGone() {
  if (stopping) return;
  stopping = true;
  signalGroup("SIGTERM");
  setTimeout(() => signalGroup("SIGKILL"), killGraceMs).unref();
}

const trainer = spawn(command, args, { stdio: ["ignore", "inherit", "inherit"] });
trainer.once("error", (error) => {
  process.stderr.write(`could not start trainer ${JSON.stringify(command)}: ${error.message}\n`);
  process.exit(127);
});
trainer.once("exit", (code, signal) => {
  if (stopping) signalGroup("SIGKILL"); // the worker is gone: leave nothing of the group behind
  if (signal) {
    // End the same way, so the worker reports the trainer's signal (exit 1 if it cannot kill us).
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    setTimeout(() => process.exit(1), 1_000);
    return;
  }
  process.exit(code ?? 1);
});

process.stdin.on("data", () => {});
process.stdin.once("end", workerGone);
process.stdin.once("close", workerGone);
process.stdin.once("error", workerGone);
// Belt and braces: re-parented (the worker died) even if the pipe stayed open somewhere.
setInterval(() => {
  if (process.ppid !== parentPid) workerGone();
}, 500).unref();
