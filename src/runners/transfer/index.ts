export { runTransfer, type TransferParams, type TransferResult } from "./run-transfer";
export type { TransferOptions } from "./transfer-options";
export type { TransferProgress, TransferPhase } from "./progress";
export { AbortError, FailureShareExceededError, ModelSpecMismatchError, TransferOptionError } from "./errors";
export { walkImages, countImages, type DatasetImage } from "./dataset-walker";
export { GaussianStream, mulberry32, noiseStreamSeed } from "./seeded-noise";
