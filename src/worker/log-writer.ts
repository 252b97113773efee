// Buffers a run's output lines and hands them to the run's log sink in batches
// (the database, announcing each batch on runLog; or the API for a remote job).
import { MAX_LOG_LINE } from "../services/run-reports-service";
import type { LogLine } from "./run-port";

export interface LogWriter {
  write(stream: LogLine["stream"], line: string): void;
  /**
   * The last lines the process printed, for a failed run's error message: the worker's own
   * lines (the echoed command, "trainer exited ...") are not the cause and are left out.
   */
  tail(count: number): string[];
  /** Writes what is buffered now. */
  flush(): Promise<void>;
  /** Flushes and stops the timer. */
  close(): Promise<void>;
}

export function createLogWriter(append: (lines: LogLine[]) => Promise<void>, label: string, intervalMs = 250): LogWriter {
  let buffer: LogLine[] = [];
  let writing: Promise<void> = Promise.resolve();
  const recent: LogLine[] = [];

  function flush(): Promise<void> {
    const lines = buffer;
    buffer = [];
    if (!lines.length) return writing;
    writing = writing.then(() => append(lines).catch((error) => console.warn(`log of ${label} not written: ${(error as Error).message}`)));
    return writing;
  }

  const timer = setInterval(() => void flush(), intervalMs);
  return {
    write(stream, line) {
      const text = line.length > MAX_LOG_LINE ? `${line.slice(0, MAX_LOG_LINE)}…` : line;
      buffer.push({ stream, line: text });
      recent.push({ stream, line: text });
      if (recent.length > 40) recent.shift();
    },
    tail: (count) => recent.filter((l) => l.stream !== "system").slice(-count).map((l) => l.line),
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
