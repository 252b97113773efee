import { specOptionNames, type ModelInputSpec, type OptionInputSpec, type ScheduleSpec } from "../../models/input-spec";
import { TransferOptionError } from "./errors";

export interface TransferOptions {
  /** Images per session.run (a model whose batch dimension is fixed decides for itself). */
  batchSize: number;
  /** Only the first `limit` images of the source (in walk order). */
  limit?: number;
  /** Share of unreadable images (0..1) above which the run fails. */
  maxFailureShare: number;
  /** Seeds the noise inputs, so a run is reproducible. */
  seed: number;
  /** Values for the options the spec reads, by option name (e.g. fidelityWeight, steps). */
  methodOptions?: Record<string, number>;
  /** "source" (default): outputs get their source image's size; "model": the model's output size. */
  outputSize?: "source" | "model";
  /** JPEG outputs only; default 95. */
  jpegQuality?: number;
  /** PNG outputs only, zlib level 0..9; default 6 (lower: faster, larger files). */
  pngCompressionLevel?: number;
}

export interface ResolvedTransferOptions {
  batchSize: number;
  limit: number | undefined;
  maxFailureShare: number;
  seed: number;
  steps: number;
  /** Every option the spec reads, defaults filled in. */
  optionValues: ReadonlyMap<string, number>;
  outputSize: "source" | "model";
  jpegQuality: number;
  pngCompressionLevel: number;
}

function requireInteger(option: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TransferOptionError(option, `expected an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

function requireShare(option: string, value: number): number {
  if (!(value >= 0 && value <= 1)) throw new TransferOptionError(option, `expected a share in [0, 1], got ${value}`);
  return value;
}

function optionValue(extra: OptionInputSpec, given: number | undefined): number {
  const value = given ?? extra.default;
  if (!Number.isFinite(value)) throw new TransferOptionError(extra.option, `expected a number, got ${value}`);
  if ((extra.min !== undefined && value < extra.min) || (extra.max !== undefined && value > extra.max)) {
    throw new TransferOptionError(extra.option, `${value} is outside [${extra.min ?? "-inf"}, ${extra.max ?? "inf"}]`);
  }
  return value;
}

function stepCount(schedule: ScheduleSpec | undefined, given: number | undefined): number {
  if (!schedule) return 1;
  const steps = requireInteger(schedule.stepsOption, given ?? schedule.defaultSteps, 1, schedule.maxSteps);
  if (schedule.allowedSteps && !schedule.allowedSteps.includes(steps)) {
    throw new TransferOptionError(schedule.stepsOption, `${steps} is not one of ${schedule.allowedSteps.join(", ")}`);
  }
  return steps;
}

function methodOptionValues(spec: ModelInputSpec, given: Record<string, number>): Map<string, number> {
  const known = specOptionNames(spec);
  for (const name of Object.keys(given)) {
    if (!known.includes(name)) {
      throw new TransferOptionError(name, `not an option of this model (options: ${known.join(", ") || "none"})`);
    }
  }
  const values = new Map<string, number>();
  for (const extra of spec.extraInputs) {
    if (extra.source === "option") values.set(extra.option, optionValue(extra, given[extra.option]));
  }
  return values;
}

function checkTimeValuesCover(spec: ModelInputSpec, stepsOption: string, steps: number): void {
  for (const extra of spec.extraInputs) {
    if (extra.source === "timeIndex" && extra.values && extra.values.length < steps) {
      throw new TransferOptionError(stepsOption, `${steps} steps, but input "${extra.name}" lists only ${extra.values.length} time values`);
    }
  }
}

/** Checks run options against the spec; errors name the option and the wrong value. */
export function resolveTransferOptions(spec: ModelInputSpec, options: TransferOptions): ResolvedTransferOptions {
  const given = options.methodOptions ?? {};
  const optionValues = methodOptionValues(spec, given);
  const steps = stepCount(spec.schedule, spec.schedule ? given[spec.schedule.stepsOption] : undefined);
  if (spec.schedule) {
    optionValues.set(spec.schedule.stepsOption, steps);
    checkTimeValuesCover(spec, spec.schedule.stepsOption, steps);
  }
  return {
    batchSize: requireInteger("batchSize", options.batchSize, 1),
    limit: options.limit === undefined ? undefined : requireInteger("limit", options.limit, 0),
    maxFailureShare: requireShare("maxFailureShare", options.maxFailureShare),
    seed: requireInteger("seed", options.seed, 0, 0xffffffff),
    steps,
    optionValues,
    outputSize: options.outputSize ?? "source",
    jpegQuality: requireInteger("jpegQuality", options.jpegQuality ?? 95, 1, 100),
    pngCompressionLevel: requireInteger("pngCompressionLevel", options.pngCompressionLevel ?? 6, 0, 9),
  };
}
