import type { ExtraInputSpec, ImageInputSpec, ImageOutputSpec } from "../../models/input-spec";
import type { InferenceWorker } from "../inference/session-host";
import type { TensorPayload } from "../inference/session-protocol";
import type { PreparedBatch } from "./batch-source";
import { AbortError, ModelSpecMismatchError } from "./errors";
import { ExtraInputFeeds } from "./extra-inputs";
import { rangeBounds } from "./pixel-ranges";

/** Everything fixed for a run that inference needs per batch. */
export interface InferencePlan {
  input: ImageInputSpec;
  output: ImageOutputSpec;
  inputName: string;
  outputName: string;
  extraInputs: readonly ExtraInputSpec[];
  optionValues: ReadonlyMap<string, number>;
  steps: number;
  seed: number;
}

function checkImageOutput(output: TensorPayload | undefined, name: string): TensorPayload & { data: Float32Array } {
  if (!output || output.type !== "float32" || output.dims.length !== 4 || output.dims[1] !== 3) {
    const got = output ? `${output.type} [${output.dims.join(", ")}]` : "nothing";
    throw new ModelSpecMismatchError(`output.name: expected "${name}" as float32 [N, 3, H, W], got ${got}`);
  }
  return output as TensorPayload & { data: Float32Array };
}

/**
 * Conversion to 8 bits always saturates. With clamp: false the spec promises a bounded output
 * (e.g. tanh), so a value well outside the range means a wrong spec: say so instead of hiding it.
 */
function checkBoundedOutput(data: Float32Array, output: ImageOutputSpec): void {
  if (output.clamp) return;
  const { min, max } = rangeBounds(output.range);
  const slack = (max - min) * 1e-3;
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!;
    if (!(value >= min - slack && value <= max + slack)) {
      throw new ModelSpecMismatchError(
        `output.clamp: the model produced ${value}, outside ${output.range}; set clamp: true if its output is not bounded`,
      );
    }
  }
}

function sameDims(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Runs one batch through the model `plan.steps` times: each step's raw output is the next
 * step's image input, with the extra inputs (options, time index, fresh noise) of that step.
 */
export async function inferBatch(
  session: InferenceWorker,
  batch: PreparedBatch,
  plan: InferencePlan,
  signal: AbortSignal,
): Promise<TensorPayload & { data: Float32Array }> {
  const keys = batch.images.map((image) => image.relativePath);
  const extras = new ExtraInputFeeds(plan.extraInputs, plan.optionValues, batch.feedBatch, keys, plan.seed);
  const inputDims = [batch.feedBatch, 3, plan.input.height, plan.input.width];
  let image: TensorPayload = { type: "float32", data: batch.pixels, dims: inputDims };
  for (let step = 0; step < plan.steps; step++) {
    if (signal.aborted) throw new AbortError(undefined, { cause: signal.reason });
    const feeds = { ...extras.forStep(step), [plan.inputName]: image };
    const outputs = await session.run(feeds, [plan.outputName], signal);
    image = checkImageOutput(outputs[plan.outputName], plan.outputName);
    if (step + 1 < plan.steps && !sameDims(image.dims, inputDims)) {
      throw new ModelSpecMismatchError(
        `schedule: output [${image.dims.join(", ")}] cannot be fed back as input [${inputDims.join(", ")}]`,
      );
    }
  }
  const result = checkImageOutput(image, plan.outputName);
  checkBoundedOutput(result.data, plan.output);
  return result;
}
