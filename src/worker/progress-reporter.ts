// Progress reaches its sink (the database and, through NOTIFY, every subscriber; or the
// API for a remote job) at a bounded rate: at most one write per interval however fast
// images flow, plus the last value when the run ends. Each write is also the run's heartbeat.
import type { Stores } from "../db/stores";
import { writeRunProgress } from "../services/run-reports-service";
import type { ProgressColumns } from "./run-port";

export interface ProgressUpdate {
  done: number;
  total: number | null;
  phase: string;
}

export interface ProgressReporter {
  report(update: ProgressUpdate): void;
  /** Writes the latest update now (end of run). */
  flush(): Promise<void>;
}

/** Throttles updates into `write` (rate and ETA computed over the current phase). */
export function throttleProgress(write: (progress: ProgressColumns) => Promise<unknown>, minIntervalMs = 250, label = "run"): ProgressReporter {
  let latest: ProgressUpdate | null = null;
  let lastWrite = 0;
  let timer: NodeJS.Timeout | null = null;
  let writing: Promise<void> = Promise.resolve();
  // Rate over the current phase: images per second since the phase began.
  let phaseStart = { phase: "", at: Date.now(), done: 0 };

  function columns(update: ProgressUpdate): ProgressColumns {
    if (update.phase !== phaseStart.phase) phaseStart = { phase: update.phase, at: Date.now(), done: update.done };
    const seconds = (Date.now() - phaseStart.at) / 1000;
    const rate = seconds > 0.2 ? (update.done - phaseStart.done) / seconds : null;
    const eta = rate && rate > 0 && update.total != null ? Math.max(0, (update.total - update.done) / rate) : null;
    return { done: update.done, total: update.total, phase: update.phase, rate, etaSeconds: eta };
  }

  function flushLatest(): Promise<void> {
    if (!latest) return writing;
    const progress = columns(latest);
    latest = null;
    lastWrite = Date.now();
    writing = writing.then(() =>
      write(progress).then(
        () => undefined,
        (error) => console.warn(`progress of ${label} not written: ${(error as Error).message}`),
      ),
    );
    return writing;
  }

  return {
    report(update) {
      latest = update;
      const wait = minIntervalMs - (Date.now() - lastWrite);
      if (wait <= 0) void flushLatest();
      else timer ??= setTimeout(() => {
        timer = null;
        void flushLatest();
      }, wait);
    },
    async flush() {
      if (timer) clearTimeout(timer);
      timer = null;
      await flushLatest();
    },
  };
}

/** A reporter writing straight to the database (what local workers use). */
export function createProgressReporter(stores: Stores, runId: string, minIntervalMs = 250): ProgressReporter {
  return throttleProgress((progress) => writeRunProgress(stores, runId, progress), minIntervalMs, `run ${runId}`);
}
