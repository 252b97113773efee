import { z } from "zod";

/**
 * The input spec stored with every ONNX model (transfer methods and FR models). Code paths read
 * sizes, ranges, channel order, extra inputs and iteration from here; nothing model-specific is
 * hard-coded. Examples (see ../../../shared/PROTOCOLS.md):
 *
 * - CodeFormer: input 512x512 RGB MINUS_ONE_ONE; output image MINUS_ONE_ONE with clamp (no tanh);
 *   extraInputs [{ source: "option", option: "fidelityWeight", default: 0.5, min: 0, max: 1 }].
 * - UNSB: input 256x256 RGB MINUS_ONE_ONE; tanh output; extraInputs time index + noise z;
 *   schedule { stepsOption: "steps", defaultSteps: 1, allowedSteps: [1, 5] }.
 * - AdaFace IR50: input 112x112 BGR MINUS_ONE_ONE; output embedding 0 + norm 1.
 */

/** How 8-bit pixels p map to tensor values x. */
export const TensorRangeSchema = z.enum([
  "MINUS_ONE_ONE", // x = (p/255 - 0.5) / 0.5
  "ZERO_ONE", // x = p/255
  "ZERO_255", // x = p
]);
export type TensorRange = z.infer<typeof TensorRangeSchema>;

export const ChannelOrderSchema = z.enum(["RGB", "BGR"]);
export type ChannelOrder = z.infer<typeof ChannelOrderSchema>;

export const ResizeKernelSchema = z.enum(["bilinear", "bicubic", "nearest", "lanczos3"]);
export type ResizeKernel = z.infer<typeof ResizeKernelSchema>;

export const TensorDtypeSchema = z.enum(["float32", "float64", "int32", "int64"]);
export type TensorDtype = z.infer<typeof TensorDtypeSchema>;

/** A tensor dimension: a fixed size, or "N" for the batch size of the current run call. */
export const DimSchema = z.union([z.int().positive(), z.literal("N")]);
export type Dim = z.infer<typeof DimSchema>;

/** A model output, by name or by position in the model's output list. */
export const OutputRefSchema = z.union([z.string().min(1), z.int().nonnegative()]);
export type OutputRef = z.infer<typeof OutputRefSchema>;

const inputName = z.string().min(1);

export const ImageInputSchema = z.object({
  name: inputName,
  width: z.int().positive(),
  height: z.int().positive(),
  layout: z.literal("NCHW").default("NCHW"),
  channelOrder: ChannelOrderSchema.default("RGB"),
  range: TensorRangeSchema,
  resize: ResizeKernelSchema.default("bilinear"),
});
export type ImageInputSpec = z.infer<typeof ImageInputSchema>;

export const ImageOutputSchema = z.object({
  kind: z.literal("image"),
  /** Absent: the model's first output. */
  name: z.string().min(1).optional(),
  range: TensorRangeSchema,
  /** true: clamp to the range when converting (models without a final tanh, e.g. CodeFormer);
   * false: the output is bounded (tanh), and values well outside the range fail the run. */
  clamp: z.boolean().default(true),
  /** Absent: same as the input's channel order. */
  channelOrder: ChannelOrderSchema.optional(),
});
export type ImageOutputSpec = z.infer<typeof ImageOutputSchema>;

export const EmbeddingOutputSchema = z.object({
  kind: z.literal("embedding"),
  embedding: OutputRefSchema.default(0),
  /** Present when the embedding output is unit length and its norm is a separate output
   * (AdaFace); raw embedding = embedding * norm. */
  norm: OutputRefSchema.optional(),
  dimension: z.int().positive().optional(),
});
export type EmbeddingOutputSpec = z.infer<typeof EmbeddingOutputSchema>;

const shape = z.array(DimSchema);

/** A scalar (filled into any shape) taken from a run option, e.g. CodeFormer's fidelity weight. */
export const OptionInputSchema = z.object({
  name: inputName,
  source: z.literal("option"),
  option: z.string().min(1),
  default: z.number(),
  min: z.number().optional(),
  max: z.number().optional(),
  dtype: TensorDtypeSchema.default("float32"),
  shape: shape.default([]),
});

/** The index of the current schedule step (0-based), or values[step] when values is given. */
export const TimeIndexInputSchema = z.object({
  name: inputName,
  source: z.literal("timeIndex"),
  values: z.array(z.number()).min(1).optional(),
  dtype: TensorDtypeSchema.default("int64"),
  shape: shape.default(["N"]),
});

/** Seeded Gaussian noise drawn fresh for every step. With a leading "N" the noise is drawn per
 * image (seeded by run seed + image path), so output does not depend on batching or resume. */
export const NoiseInputSchema = z.object({
  name: inputName,
  source: z.literal("noise"),
  distribution: z.literal("normal").default("normal"),
  std: z.number().positive().default(1),
  dtype: z.literal("float32").default("float32"),
  shape: shape.min(1),
});

export const ExtraInputSchema = z.discriminatedUnion("source", [
  OptionInputSchema,
  TimeIndexInputSchema,
  NoiseInputSchema,
]);
export type ExtraInputSpec = z.infer<typeof ExtraInputSchema>;
export type OptionInputSpec = z.infer<typeof OptionInputSchema>;
export type TimeIndexInputSpec = z.infer<typeof TimeIndexInputSchema>;
export type NoiseInputSpec = z.infer<typeof NoiseInputSchema>;

/** The model is applied `steps` times; each step's raw output is the next step's image input. */
export const ScheduleSchema = z.object({
  stepsOption: z.string().min(1).default("steps"),
  defaultSteps: z.int().positive().default(1),
  allowedSteps: z.array(z.int().positive()).min(1).optional(),
  maxSteps: z.int().positive().optional(),
});
export type ScheduleSpec = z.infer<typeof ScheduleSchema>;

export const ModelInputSpecSchema = z
  .object({
    version: z.literal(1).default(1),
    input: ImageInputSchema,
    output: z.discriminatedUnion("kind", [ImageOutputSchema, EmbeddingOutputSchema]),
    extraInputs: z.array(ExtraInputSchema).default([]),
    schedule: ScheduleSchema.optional(),
  })
  .superRefine(checkConsistency);

/** camelCase alias (used by the services layer). */
export const modelInputSpecSchema = ModelInputSpecSchema;

export type ModelInputSpec = z.infer<typeof ModelInputSpecSchema>;
/** What a spec author writes (defaults may be left out). */
export type ModelInputSpecInput = z.input<typeof ModelInputSpecSchema>;
export type ImageToImageSpec = ModelInputSpec & { output: ImageOutputSpec };
export type EmbeddingSpec = ModelInputSpec & { output: EmbeddingOutputSpec };

function checkConsistency(spec: ModelInputSpec, ctx: z.RefinementCtx): void {
  const seen = new Set([spec.input.name]);
  spec.extraInputs.forEach((extra, i) => {
    if (seen.has(extra.name)) {
      ctx.addIssue({ code: "custom", path: ["extraInputs", i, "name"], message: `input name "${extra.name}" is used twice` });
    }
    seen.add(extra.name);
    if (extra.source === "option") checkOptionBounds(extra, i, ctx);
  });
  const schedule = spec.schedule;
  if (!schedule) return;
  if (spec.output.kind !== "image") {
    ctx.addIssue({ code: "custom", path: ["schedule"], message: "only image-to-image models can iterate" });
  }
  if (schedule.allowedSteps && !schedule.allowedSteps.includes(schedule.defaultSteps)) {
    ctx.addIssue({ code: "custom", path: ["schedule", "defaultSteps"], message: `defaultSteps ${schedule.defaultSteps} is not in allowedSteps` });
  }
  if (schedule.maxSteps !== undefined && schedule.defaultSteps > schedule.maxSteps) {
    ctx.addIssue({ code: "custom", path: ["schedule", "defaultSteps"], message: `defaultSteps ${schedule.defaultSteps} exceeds maxSteps ${schedule.maxSteps}` });
  }
}

function checkOptionBounds(extra: OptionInputSpec, i: number, ctx: z.RefinementCtx): void {
  const tooLow = extra.min !== undefined && extra.default < extra.min;
  const tooHigh = extra.max !== undefined && extra.default > extra.max;
  if (tooLow || tooHigh) {
    ctx.addIssue({
      code: "custom",
      path: ["extraInputs", i, "default"],
      message: `default ${extra.default} is outside [${extra.min ?? "-inf"}, ${extra.max ?? "inf"}]`,
    });
  }
}

export class ModelInputSpecError extends Error {
  override name = "ModelInputSpecError";
  constructor(
    message: string,
    readonly issues: readonly { path: string; message: string }[],
  ) {
    super(message);
  }
}

/** Parses a stored spec (e.g. JSON from the database); the error names every offending field. */
export function parseModelInputSpec(value: unknown): ModelInputSpec {
  const result = ModelInputSpecSchema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(root)",
    message: issue.message,
  }));
  const listed = issues.map((i) => `${i.path}: ${i.message}`).join("; ");
  throw new ModelInputSpecError(`invalid model input spec: ${listed}`, issues);
}

export function isImageToImageSpec(spec: ModelInputSpec): spec is ImageToImageSpec {
  return spec.output.kind === "image";
}

export function isEmbeddingSpec(spec: ModelInputSpec): spec is EmbeddingSpec {
  return spec.output.kind === "embedding";
}

/** The option names a spec reads (extra option inputs and the schedule's step count). */
export function specOptionNames(spec: ModelInputSpec): string[] {
  const names = spec.extraInputs.flatMap((e) => (e.source === "option" ? [e.option] : []));
  if (spec.schedule) names.push(spec.schedule.stepsOption);
  return [...new Set(names)];
}
