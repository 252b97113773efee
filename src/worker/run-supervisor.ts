// While a worker runs a job: heartbeat the run, and abort the runner as soon as
// the run stops being RUNNING (cancelled by a user, or failed by the reaper).
// Cancellation arrives through the event bus at once, and through the heartbeat
// poll within one interval if an event was lost.
import type { Stores } from "../db/stores";
import type { EventBus } from "../events/event-bus";

export class RunNoLongerRunning extends Error {
  override name = "RunNoLongerRunning";
}

export function superviseRun(options: {
  stores: Stores;
  events: EventBus;
  runId: string;
  controller: AbortController;
  heartbeatIntervalMs: number;
}): { stop(): void } {
  const { stores, runId, controller } = options;
  const stopWatching = new AbortController();
  const abort = () => {
    if (!controller.signal.aborted) controller.abort(new RunNoLongerRunning(`run ${runId} is no longer RUNNING`));
  };

  void (async () => {
    for await (const event of options.events.subscribe("runUpdated", stopWatching.signal)) {
      if (event.runId === runId && event.status !== "RUNNING") abort();
    }
  })();

  const timer = setInterval(() => {
    stores.runs
      .writeProgress(runId, {})
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
