// No launched run stays RUNNING forever: a run whose worker has not heartbeated
// within the timeout is re-queued while its retry policy allows (Run.maxAttempts)
// and FAILED with a clear error after that. Every API process and worker runs a
// reaper; the status guard in each update makes them safe to race.
import type { Services } from "../services";
import type { Actor } from "../services/actor";

const REAPER: Actor = { name: "stale-run reaper", tokenId: null, admin: false };

export function startStaleRunReaper(options: {
  services: Services;
  heartbeatTimeoutMs: number;
  log: (message: string) => void;
}): { stop(): void } {
  const { services, heartbeatTimeoutMs } = options;
  const { stores } = services;

  async function sweep() {
    const stale = await stores.runs.findStaleRunning(new Date(Date.now() - heartbeatTimeoutMs));
    for (const run of stale) {
      const silence = `worker ${run.worker} sent no heartbeat for ${Math.round(heartbeatTimeoutMs / 1000)} s (last at ${run.heartbeatAt?.toISOString()})`;
      if (run.attempt < run.maxAttempts) {
        await stores.transaction((tx) => tx.requeueRunningRun(run.id, `${silence}; re-queued (attempt ${run.attempt} of ${run.maxAttempts})`));
        options.log(`run ${run.id}: ${silence}; re-queued`);
      } else {
        const error = `${silence}; the worker was lost`;
        const audit = { actor: REAPER, action: "finish", changes: { status: { from: "RUNNING", to: "FAILED" }, error } };
        await services.runs.transition(run, "FAILED", { error }, { audit }).catch(() => undefined);
        options.log(`run ${run.id}: ${silence}; FAILED`);
      }
    }
  }

  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweep()
      .catch((error) => options.log(`stale-run reaper: ${(error as Error).message}`))
      .finally(() => (running = false));
  }, Math.max(250, Math.floor(heartbeatTimeoutMs / 4)));
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
