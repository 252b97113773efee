// A postmaster left behind by a hard stop (kill -9, out-of-memory, an abort) of the process
// that started it keeps the data folder locked, and the next start fails. Found through the
// folder's postmaster.pid, checked to be a postgres serving this very folder (a recycled pid
// is left alone), and stopped the way pg_ctl does: SIGINT (fast shutdown: sessions are ended,
// the cluster is left consistent), then SIGQUIT (immediate: crash recovery on next start).
import { readFile } from "node:fs/promises";
import path from "node:path";

const FAST_SHUTDOWN_MS = 30_000;
const IMMEDIATE_SHUTDOWN_MS = 10_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function exited(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !alive(pid);
}

/** The pid in `dir`/postmaster.pid when that process is alive, else null. */
export async function runningPostmaster(dir: string): Promise<number | null> {
  const text = await readFile(path.join(dir, "postmaster.pid"), "utf8").catch(() => null);
  const pid = Number(text?.split("\n")[0]?.trim());
  if (!Number.isSafeInteger(pid) || pid <= 1) return null;
  return alive(pid) ? pid : null;
}

/** Whether `pid` is a postgres process started with this data folder (Linux: /proc; elsewhere: trusted). */
async function servesFolder(pid: number, dir: string): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => null);
  if (cmdline === null) return process.platform !== "linux";
  const args = cmdline.split("\0");
  return args.some((a) => path.basename(a).startsWith("postgres")) && args.includes(dir);
}

/**
 * The live process that started `pid`, when that is a node process (a server of ours still
 * running), else null. After a hard stop of its server the postmaster is re-parented (to init
 * or a subreaper), so a node parent means the cluster is in use and must not be touched.
 */
async function owningServer(pid: number): Promise<number | null> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  // Fields after the command name, which is in parentheses and may contain spaces.
  const ppid = Number(stat?.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  if (!Number.isSafeInteger(ppid) || ppid <= 1) return null;
  const parent = await readFile(`/proc/${ppid}/cmdline`, "utf8").catch(() => "");
  return path.basename(parent.split("\0")[0] ?? "").startsWith("node") ? ppid : null;
}

/**
 * Stops a postmaster still running on `dir` that no live server owns. Returns its pid, or
 * null when there was none. Throws when the pid file names a live process that is not ours.
 */
export async function stopStalePostmaster(dir: string, log: (line: string) => void): Promise<number | null> {
  const pid = await runningPostmaster(dir);
  if (pid === null) return null; // none, or a stale pid file that postgres itself clears
  if (!(await servesFolder(pid, dir))) {
    throw new Error(`${path.join(dir, "postmaster.pid")} names process ${pid}, which is not a postgres serving ${dir}; stop it or remove the file`);
  }
  const owner = await owningServer(pid);
  if (owner !== null) {
    throw new Error(`the PostgreSQL on ${dir} (pid ${pid}) belongs to a running server (pid ${owner}); stop that server first, or use another DATA_DIR`);
  }
  log(`a PostgreSQL (pid ${pid}) is still running on ${dir} from an earlier run; stopping it`);
  process.kill(pid, "SIGINT");
  if (await exited(pid, FAST_SHUTDOWN_MS)) return pid;
  process.kill(pid, "SIGQUIT");
  if (await exited(pid, IMMEDIATE_SHUTDOWN_MS)) return pid;
  throw new Error(`the earlier PostgreSQL (pid ${pid}) on ${dir} did not stop; stop it by hand`);
}
