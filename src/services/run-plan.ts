// A planned launch: the columns of a QUEUED run row, computed and validated before
// anything is written, so a caller (one launch, or a whole pipeline) can check every
// step first and then write them all in one transaction with `queuePlannedRun`.
import type { BoundStores } from "../db/stores";
import type { Prisma, Run } from "../generated/prisma/client";

export type RunPlan = Omit<Prisma.RunUncheckedCreateInput, "status" | "pipelineId">;

/** Writes a planned run (row, job, runUpdated event) inside the caller's transaction. */
export function queuePlannedRun(tx: BoundStores, plan: RunPlan, extra: { pipelineId?: string | null; group?: string | null } = {}): Promise<Run> {
  return tx.queueNewRun({
    ...plan,
    ...(extra.group !== undefined ? { group: extra.group } : {}),
    pipelineId: extra.pipelineId ?? null,
  });
}
