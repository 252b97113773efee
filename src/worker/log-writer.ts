// Buffers a run's output lines and writes them in batches (bounded per run),
// announcing each batch on the runLog topic for live log views.
import type { Stores } from "../db/stores";
import type { LogLine } from "../db/stores/trainers-store";

export const LOG_LINES_KEPT = 2_000;
const MAX_LINE = 4_000;

export function createLogWriter(stores: Stores, runId: string, intervalMs = 250) {
  let buffer: LogLine[] = [];
  let writing: Promise<void> = Promise.resolve();
  const recent: LogLine[] = [];

  function flush(): Promise<void> {
    const lines = buffer;
    buffer = [];
    if (!lines.length) return writing;
    writing = writing.then(() =>
      stores
        .transaction(async (tx) => {
          await tx.trainers.appendLog(runId, lines, LOG_LINES_KEPT);
          await tx.notify("runLog", { runId, lines: lines.slice(-50) });
        })
        .catch((error) => console.warn(`log of run ${runId} not written: ${(error as Error).message}`)),
    );
    return writing;
  }

  const timer = setInterval(() => void flush(), intervalMs);
  return {
    write(stream: LogLine["stream"], line: string) {
      const text = line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line;
      buffer.push({ stream, line: text });
      recent.push({ stream, line: text });
      if (recent.length > 40) recent.shift();
    },
    /**
     * The last lines the process printed, for a failed run's error message: the worker's own
     * lines (the echoed command, "trainer exited ...") are not the cause and are left out.
     */
    tail: (count: number) => recent.filter((l) => l.stream !== "system").slice(-count).map((l) => l.line),
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
