// The `local` executor: today's graphile-worker queue. The launch's transaction
// already enqueued the run's job, and the stale-run reaper follows lost workers.
import type { Run } from "../generated/prisma/client";
import type { Stores } from "../db/stores";
import type { Executor } from "./executor";

export function createLocalExecutor(services: { stores: Stores }): Executor {
  return {
    name: "local",
    async checkResources() {}, // a local worker takes what its machine has
    async submit() {},
    async cancel(run: Run) {
      await services.stores.queue.removeQueuedRun(run.id);
    },
    async reconcile() {},
  };
}
