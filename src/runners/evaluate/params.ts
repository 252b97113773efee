// What an EVALUATE job needs, stored in Run.params by the launch service (paths already resolved
// inside the data roots) and read back by the worker.

export type EvaluationMode = "model" | "features";

export interface FeatureFiles {
  /** Raw embeddings of the original images: .npy, float32 or float16, [images, dim], C order. */
  original: string;
  /** Raw embeddings of the horizontally flipped images (same shape), summed with the originals. */
  flipped: string | null;
  /** Pair benchmarks: a text file of N labels (1/0 or True/False), instead of the .bin's issame list. */
  issame: string | null;
}

export interface EvaluateBenchmarkParams {
  benchmarkId: string;
  /** The Benchmark's name (LFW, CFP-FP, IJB-C ...): metric rows and details are keyed by it. */
  name: string;
  protocol: "PAIRS_10FOLD" | "IJB_TEMPLATE_1TO1";
  /** A pair benchmark's .bin, or an IJB folder (meta/ + images/); null for features + issame file. */
  dataPath: string | null;
  /** IJB in model mode: the folder of pre-aligned crops (`<dataPath>/images`). */
  imageDir: string | null;
  /** Pairs counted at launch (the job counts again and fails if the files changed). */
  pairs: number;
  features: FeatureFiles | null;
}

export interface EvaluateRunParams {
  mode: EvaluationMode;
  /** Images per model call (a model with a fixed batch dimension decides for itself). */
  batchSize: number;
  /** Skip the protocol's pair counts (small generated benchmarks). */
  allowNonStandardSize: boolean;
  /** IJB: multiply each image feature by its detection score (eval_ijbc.py's default, D1). */
  useDetectorScore: boolean;
  benchmarks: EvaluateBenchmarkParams[];
  [key: string]: unknown;
}
