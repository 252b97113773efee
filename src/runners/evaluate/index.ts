export { runEvaluation, type EvaluationRequest, type EvaluationResult } from "./run-evaluation";
export type { BenchmarkOutcome, MetricValue, RocPoints } from "./outcome";
export type { EvaluateBenchmarkParams, EvaluateRunParams, EvaluationMode, FeatureFiles } from "./params";
export {
  IJB_ALIGNMENT_OPTIONS,
  IJB_IMAGE_FOLDER,
  IJB_LOOSE_CROP_FOLDER,
  ijbMetaFiles,
  ijbMetaRelative,
  ijbRelease,
  type IjbAlignment,
  type IjbAlignmentOption,
} from "./ijb-layout";
export { countNonBlankLines } from "./count-lines";
export { readNpyShape } from "./npy-shape";
export { readIssame } from "./issame-file";
export { checkBenchmarkSize } from "./protocol-size";
