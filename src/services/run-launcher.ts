// Launching a run of any kind: the kind's params schema, then its launch checks and plan
// (src/kinds/<kind>), then every planned run row and its job in one transaction. The typed
// launch mutations (launchTransfer, launchTraining, ...) and the generic launchRun come here.
import type { Run } from "../generated/prisma/client";
import type { KindLaunchContext } from "../kinds/kind";
import type { KindRegistry } from "../kinds/registry";
import { parseKindParams } from "../kinds/shared/params";
import { queuePlannedRun } from "./run-plan";

export function createRunLauncher(kinds: KindRegistry, context: KindLaunchContext) {
  return {
    kinds,

    /** Queues the runs a launch of `kindName` with `params` plans; BAD_USER_INPUT before anything is written. */
    async launch(kindName: string, params: unknown): Promise<Run[]> {
      const kind = kinds.require(kindName);
      const plans = await kind.plan(parseKindParams(kind.params, params), context);
      const queue = kind.queue ?? ((tx, plan) => queuePlannedRun(tx, plan));
      const runs = await context.stores.transaction(async (tx) => {
        const queued: Run[] = [];
        for (const plan of plans) queued.push(await queue(tx, plan));
        return queued;
      });
      context.executors.kick(); // a Slurm run is submitted now rather than at the next poll
      return runs;
    },
  };
}

export type RunLauncher = ReturnType<typeof createRunLauncher>;
