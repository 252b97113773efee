// What an EVALUATE job needs, stored in Run.params by the launch service (paths already resolved
// inside the data roots) and read back by the worker.
import type { IjbAlignment, IjbAlignmentOption } from "./ijb-layout";

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
  /** A pair benchmark's .bin, or the IJB folder holding meta/; null for features + issame file. */
  dataPath: string | null;
  /** IJB in model mode: the folder of crops (`<dataPath>/images` or `<dataPath>/loose_crop`). */
  imageDir: string | null;
  /** IJB in model mode: how the crops are brought to the model (absent in older runs: PREALIGNED). */
  alignment?: IjbAlignment | null;
  /** IJB: the meta files' prefix, `ijbc` or `ijbb` (absent in older runs: ijbc). */
  ijbPrefix?: string;
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
  /** IJB: the alignment asked for at launch (each benchmark records what it resolved to). */
  alignment?: IjbAlignmentOption;
  benchmarks: EvaluateBenchmarkParams[];
  [key: string]: unknown;
}
