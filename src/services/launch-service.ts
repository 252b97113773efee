// Launching TRANSFER runs (the kind's checks live in src/kinds/transfer) and cancelling runs
// of any kind.
import type { Run } from "../generated/prisma/client";
import { conflict, required } from "../errors";
import type { KindLaunchContext } from "../kinds/kind";
import { planTransfer } from "../kinds/transfer/launch";
import type { LaunchTransferInput } from "../kinds/transfer/params";
import type { Actor } from "./actor";
import type { RunLauncher } from "./run-launcher";
import type { RunsService } from "./runs-service";
import { isTerminal } from "./run-status";

export { queueTransfer } from "../kinds/transfer/launch";
export type { LaunchTransferInput, TransferRunParams } from "../kinds/transfer/params";

export function createLaunchService(context: KindLaunchContext, runs: RunsService, launcher: RunLauncher) {
  return {
    /** TRANSFER's launch checks and plan, for pipelines. */
    planTransfer: (input: LaunchTransferInput) => planTransfer(input, context),

    async launchTransfer(input: LaunchTransferInput): Promise<Run> {
      return (await launcher.launch("TRANSFER", input))[0]!;
    },

    /** QUEUED: removed from the queue now. RUNNING: its worker stops within a heartbeat (a Slurm job is scancelled). */
    async cancelRun(id: string, actor?: Actor): Promise<Run> {
      const run = await runs.require(id);
      if (isTerminal(run.status)) throw conflict(`run ${id} is already ${run.status}`);
      if (!run.worker && run.status === "RUNNING") {
        throw conflict(`run ${id} was not launched here (it is tracked from outside); set its status with updateRun`);
      }
      const cancelled = await runs.transition(run, "CANCELLED", { error: "cancelled by a user" }, {
        ...(actor ? { audit: { actor, action: "cancelRun", changes: { status: { from: run.status, to: "CANCELLED" } } } } : {}),
      });
      await context.stores.queue.removeQueuedRun(id);
      // The executor stops the job now (Slurm: scancel), not at the reconciler's next pass.
      if (cancelled) await context.executors.get(cancelled.executor)?.cancel(cancelled);
      return required(cancelled, "run", id);
    },
  };
}

export type LaunchService = ReturnType<typeof createLaunchService>;
