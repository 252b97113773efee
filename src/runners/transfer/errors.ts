export { AbortError } from "../inference/session-host";

/** More images failed to decode than the run allows (options.maxFailureShare). */
export class FailureShareExceededError extends Error {
  override name = "FailureShareExceededError";
  constructor(
    readonly failed: number,
    readonly total: number,
    readonly maxFailureShare: number,
    readonly lastError: unknown,
  ) {
    const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
    const last = lastError instanceof Error ? lastError.message : String(lastError);
    super(
      `${failed} of ${total} images (${percent(failed / total)}) could not be read, more than the allowed ` +
        `share of ${percent(maxFailureShare)} (maxFailureShare = ${maxFailureShare}); last error: ${last}`,
    );
  }
}

/** The model and its input spec do not fit together (names, shapes, types). */
export class ModelSpecMismatchError extends Error {
  override name = "ModelSpecMismatchError";
}

/** A run option is missing, unknown or out of range; `option` names it. */
export class TransferOptionError extends Error {
  override name = "TransferOptionError";
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
  }
}
