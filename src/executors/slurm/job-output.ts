// A Slurm job's output file copied into its run's log while the job runs and once
// it ended: each pass reads on from the run's stored offset, at most CHUNK_BYTES per
// pass and TOTAL_BYTES per run (a job printing without end cannot flood the database;
// the run log itself keeps only its newest LOG_LINES_KEPT lines).
import { open } from "node:fs/promises";
import type { Run } from "../../generated/prisma/client";
import type { Stores } from "../../db/stores";
import { LOG_LINES_KEPT } from "../../services/run-reports-service";

export const CHUNK_BYTES = 64 * 1024;
export const TOTAL_BYTES = 4 * 1024 * 1024;
const MAX_LINE = 4_000;
const NEWLINE = 0x0a;

/** Bytes of `file` from `start`, at most `max` (empty when the file does not exist yet). */
async function readFrom(file: string, start: number, max: number): Promise<Buffer> {
  const handle = await open(file, "r").catch(() => null);
  if (!handle) return Buffer.alloc(0);
  try {
    const { size } = await handle.stat();
    const length = Math.max(0, Math.min(size - start, max));
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, start);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The last `bytes` of the file, trimmed (for a failed run's error message). */
export async function outputEnd(file: string, bytes = 4_000): Promise<string> {
  const handle = await open(file, "r").catch(() => null);
  if (!handle) return "";
  const { size } = await handle.stat().finally(() => handle.close());
  const start = Math.max(0, size - bytes);
  return (await readFrom(file, start, bytes)).toString("utf8").trim();
}

/** One line of the server's own ("system") into the run log, e.g. why a job is re-queued. */
export async function appendSystemLine(stores: Stores, runId: string, line: string): Promise<void> {
  const lines = [{ stream: "system" as const, line: line.slice(0, MAX_LINE) }];
  await stores.transaction(async (tx) => {
    await tx.trainers.appendLog(runId, lines, LOG_LINES_KEPT);
    await tx.notify("runLog", { runId, lines });
  });
}

/**
 * Copies the next part of `file` into the run log (stream "job") and announces it on runLog.
 * Only whole lines while the job may still write (`ended` false), unless a single line fills a
 * chunk. Two processes tailing one run cannot both copy a part: the offset moves only from
 * the value this pass read. Returns the number of bytes copied.
 */
export async function copyJobOutput(stores: Stores, run: Pick<Run, "id" | "executorLogOffset">, file: string, ended: boolean): Promise<number> {
  const from = run.executorLogOffset;
  if (from >= TOTAL_BYTES) return 0;
  const chunk = await readFrom(file, from, Math.min(CHUNK_BYTES, TOTAL_BYTES - from));
  if (!chunk.length) return 0;
  const lastNewline = chunk.lastIndexOf(NEWLINE);
  const full = chunk.length === CHUNK_BYTES || from + chunk.length >= TOTAL_BYTES;
  const length = ended || full ? chunk.length : lastNewline + 1;
  if (!length) return 0;
  const lines = chunk
    .subarray(0, length)
    .toString("utf8")
    .split("\n")
    .filter((line, i, all) => line !== "" || i < all.length - 1)
    .map((line) => ({ stream: "job" as const, line: line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line }));
  if (from + length >= TOTAL_BYTES) lines.push({ stream: "job", line: `[job output beyond ${TOTAL_BYTES} bytes is not copied; see ${file}]` });
  const copied = await stores.transaction(async (tx) => {
    if (!(await tx.executorRuns.advanceLogOffset(run.id, from, from + length))) return false;
    await tx.trainers.appendLog(run.id, lines, LOG_LINES_KEPT);
    await tx.notify("runLog", { runId: run.id, lines: lines.slice(-50) });
    return true;
  });
  return copied ? length : 0;
}
