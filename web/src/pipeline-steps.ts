// A pipeline's steps as the dashboard shows them: the transfer, one training per seed,
// one evaluation per model; a step's state is its latest run, and older runs of the same
// step (replaced when the pipeline was resumed) are marked as superseded. Mirrors
// src/services/pipeline-steps.ts on the server.
export interface PipelineRun {
  id: string;
  kind: string;
  status: string;
  name: string | null;
  seed: number | null;
  error: string | null;
  faceModel: { id: string; name: string } | null;
}

export interface PipelineStep {
  key: string;
  label: string;
  run: PipelineRun;
  /** Earlier runs of this step, oldest first (FAILED or CANCELLED before a resume). */
  superseded: PipelineRun[];
}

/** `runs` in launch order, as the API returns them. */
export function pipelineSteps(runs: readonly PipelineRun[]): PipelineStep[] {
  const steps = new Map<string, PipelineStep>();
  for (const run of runs) {
    const key = run.kind === "TRANSFER" ? "transfer" : run.kind === "TRAIN" ? `train:${run.seed}` : `evaluate:${run.faceModel?.id ?? run.id}`;
    const label = run.kind === "TRANSFER" ? "Transfer" : run.kind === "TRAIN" ? `Train (seed ${run.seed ?? "—"})` : `Evaluate ${run.faceModel?.name ?? ""}`.trim();
    const previous = steps.get(key);
    steps.set(key, { key, label, run, superseded: previous ? [...previous.superseded, previous.run] : [] });
  }
  return [...steps.values()];
}
