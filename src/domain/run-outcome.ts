// What a finished job hands back: the results of its run, recorded in one transaction
// with the run's SUCCEEDED transition and their events (src/services/run-outcome-service.ts).
// Progress, heartbeats, log lines and streaming metrics (training curves, system
// metrics) are not part of it: they are reported while the run goes.

export interface OutcomeMetric {
  name: string;
  value: number;
  std?: number | null;
  /** Training curves use steps; final results use 0. */
  step?: number | null;
  /** The benchmark the value was measured on (null: the run's own metric). */
  benchmarkId?: string | null;
}

export interface OutcomeCurve {
  benchmarkId: string | null;
  /** e.g. "ROC" */
  kind: string;
  points: unknown;
}

/** A folder the run wrote, registered as a dataset whose lineage is the run's (input dataset, method). */
export interface ProducedDataset {
  name: string;
  uri: string;
  imageCount: number;
  identityCount: number;
}

/** An exported ONNX model, registered as a face model trained on the run's dataset. */
export interface ProducedFaceModel {
  name: string;
  modelPath: string;
  backbone: string;
  head: string;
  inputSpec: unknown;
}

export interface RunOutcome {
  metrics?: OutcomeMetric[];
  curves?: OutcomeCurve[];
  dataset?: ProducedDataset;
  faceModel?: ProducedFaceModel;
  /** Merged into Run.details (files, counts, timings). */
  details?: Record<string, unknown>;
  /** The device that really did the work, when the job knows better than the worker. */
  device?: string;
}
