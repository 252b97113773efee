// What a DATASET_QUALITY run needs, stored in Run.params by its launch (src/kinds/dataset-quality;
// folders already resolved inside the data roots) and read back by the worker.

/** Before DATASET_QUALITY was a kind, these were EVALUATE runs marked params.mode (migrated in 20261201100000). */
export const DATASET_QUALITY_MODE = "dataset-quality";

export interface DatasetQualityParams {
  /** The evaluated (transferred) dataset and its folder (`identity/file` layout). */
  datasetId: string;
  datasetDir: string;
  /** The real reference set the Fréchet distance is measured against. */
  referenceDatasetId: string;
  referenceDir: string;
  /** The face model used as feature extractor. */
  faceModelId: string;
  /** At most this many images per dataset, first in walk order (null: all). */
  limit: number | null;
  batchSize: number;
  /** Identity separability samples this many pairs when there are more. */
  maxPairs: number;
  [key: string]: unknown;
}

export const QUALITY_METRICS = ["quality:frechet", "quality:intra_cosine", "quality:inter_cosine", "quality:separability"] as const;
export type QualityMetric = (typeof QUALITY_METRICS)[number];

export function isDatasetQualityParams(params: unknown): params is DatasetQualityParams {
  return typeof params === "object" && params !== null && (params as { mode?: unknown }).mode === DATASET_QUALITY_MODE;
}
