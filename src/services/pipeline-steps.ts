// The steps of a pipeline read from its runs: the transfer, one training per seed, one
// evaluation per trained model. A step's state is its latest run: a resumed pipeline
// keeps the runs that failed before (history) and adds a new run for each broken step.
import type { Run } from "../generated/prisma/client";

export interface PipelineSteps {
  transfer: Run | null;
  /** The latest TRAIN run per seed. */
  trainBySeed: Map<number, Run>;
  /** The latest EVALUATE run per face model. */
  evaluateByModel: Map<string, Run>;
}

/** A run that ended without its step's result: the step must run again on resume. */
export function isBrokenRun(run: Run): boolean {
  return run.status === "FAILED" || run.status === "CANCELLED";
}

/** `runs` in launch order (oldest first), as the pipelines store returns them. */
export function pipelineSteps(runs: readonly Run[]): PipelineSteps {
  const steps: PipelineSteps = { transfer: null, trainBySeed: new Map(), evaluateByModel: new Map() };
  for (const run of runs) {
    if (run.kind === "TRANSFER") steps.transfer = run;
    else if (run.kind === "TRAIN" && run.seed != null) steps.trainBySeed.set(run.seed, run);
    else if (run.kind === "EVALUATE" && run.faceModelId) steps.evaluateByModel.set(run.faceModelId, run);
  }
  return steps;
}

/** The latest run of every step. */
export function latestRuns(steps: PipelineSteps): Run[] {
  return [...(steps.transfer ? [steps.transfer] : []), ...steps.trainBySeed.values(), ...steps.evaluateByModel.values()];
}

/** The first step whose latest run FAILED or was CANCELLED (what stops the pipeline). */
export function brokenStep(steps: PipelineSteps): Run | null {
  return latestRuns(steps).find(isBrokenRun) ?? null;
}
