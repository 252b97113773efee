// While a job runs: heartbeat the run, and abort the job as soon as the run stops
// being RUNNING (cancelled by a user, or failed by the reaper). Where the port pushes
// events (the database's), cancellation arrives at once; the heartbeat poll catches it
// within one interval anyway (a lost event, or a remote job polling the API).
import type { RunPort } from "./run-port";

export class RunNoLongerRunning extends Error {
  override name = "RunNoLongerRunning";
}

export function superviseRun(options: {
  port: Pick<RunPort, "heartbeat" | "watchStopped">;
  runId: string;
  controller: AbortController;
  heartbeatIntervalMs: number;
}): { stop(): void } {
  const { port, runId, controller } = options;
  const stopWatching = new AbortController();
  const abort = () => {
    if (!controller.signal.aborted) controller.abort(new RunNoLongerRunning(`run ${runId} is no longer RUNNING`));
  };
  port.watchStopped?.(runId, stopWatching.signal, abort);

  const timer = setInterval(() => {
    port
      .heartbeat(runId)
      .then((running) => {
        if (!running) abort();
      })
      .catch((error) => console.warn(`heartbeat of run ${runId} failed: ${(error as Error).message}`));
  }, options.heartbeatIntervalMs);

  return {
    stop() {
      clearInterval(timer);
      stopWatching.abort();
    },
  };
}
