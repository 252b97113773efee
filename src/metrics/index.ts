// Pure evaluation metrics (no database, no I/O beyond the explicit file readers).
export * from "./verification";
export * from "./roc";
export * from "./ijbc";
export * from "./ijbc-templates";
export * from "./ijbc-template-pooler";
export * from "./ijbc-meta";
export * from "./npy";
export * from "./float16";
export * from "./insightface-bin";
export * from "./protocol-sizes";
export { kFoldTestRanges } from "./kfold";
export { interp1dSlinearLegacy } from "./interp-slinear";
