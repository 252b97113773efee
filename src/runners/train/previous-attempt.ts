// Before a TRAIN attempt starts, the previous attempt's trainer must be gone. Its
// process group and host are recorded on the run; on the same host, any process
// of that group that still carries the run's REALISMLAB_RUN_ID (checked in /proc,
// so a reused pid is never mistaken for it) is killed and waited for.
import { readdir, readFile } from "node:fs/promises";
import os from "node:os";
import { signalProcessGroup } from "./trainer-process";

const GONE_WAIT_MS = 10_000;

/** Live (not zombie) pids of a process group; null where /proc cannot be read. */
async function groupMembers(processGroup: number): Promise<number[] | null> {
  const entries = await readdir("/proc").catch(() => null);
  if (!entries) return null;
  const members: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => null);
    if (!stat) continue;
    // Fields after the command name (which may hold spaces and parentheses): state ppid pgrp ...
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(pgrp) === processGroup && state !== "Z" && state !== "X") members.push(Number(entry));
  }
  return members;
}

async function carriesRun(pid: number, runId: string): Promise<boolean> {
  const environ = await readFile(`/proc/${pid}/environ`, "latin1").catch(() => "");
  return environ.split("\0").includes(`REALISMLAB_RUN_ID=${runId}`);
}

/** true / false where /proc tells; null where it cannot (no /proc) and the group exists. */
async function stillRunning(processGroup: number, runId: string): Promise<boolean | null> {
  const members = await groupMembers(processGroup);
  if (members === null) return signalProcessGroup(processGroup, 0) ? null : false;
  for (const pid of members) if (await carriesRun(pid, runId)) return true;
  return false;
}

export async function stopPreviousAttempt(
  run: { id: string; processGroup: number | null; processHost: string | null },
  log: (message: string) => void,
): Promise<void> {
  if (run.processGroup == null) return;
  if (run.processHost !== os.hostname()) {
    // Its own worker's supervisor ended it when that worker died; it cannot be checked from here.
    log(`the previous attempt ran on ${run.processHost}; its supervisor stops it there`);
    return;
  }
  const running = await stillRunning(run.processGroup, run.id);
  if (running === false) return;
  if (running === null) {
    // Without /proc the group cannot be told apart from an unrelated one that reused its id: never kill it blindly.
    throw new Error(`process group ${run.processGroup} of the previous attempt still exists and cannot be verified here; not starting another beside it`);
  }
  log(`the previous attempt's trainer (process group ${run.processGroup}) is still running; killing it before this attempt starts`);
  signalProcessGroup(run.processGroup, "SIGKILL");
  const deadline = Date.now() + GONE_WAIT_MS;
  while ((await stillRunning(run.processGroup, run.id)) !== false) {
    if (Date.now() > deadline) throw new Error(`the previous attempt's trainer (process group ${run.processGroup}) would not stop; not starting another beside it`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
