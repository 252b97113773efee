import type { ImageToImageSpec } from "../../models/input-spec";
import type { ModelValueInfo } from "../inference/session-protocol";
import { ModelSpecMismatchError } from "./errors";

/** What the runner needs to know about the loaded model, checked against its spec. */
export interface ModelBinding {
  inputName: string;
  outputName: string;
  /** Images per run call: the requested batch size, or the model's fixed batch dimension. */
  batchSize: number;
  /** The batch dimension is fixed: partial batches are zero-padded to it. */
  fixedBatch: boolean;
}

function findInput(inputs: ModelValueInfo[], name: string, field: string): ModelValueInfo {
  const found = inputs.find((i) => i.name === name);
  if (!found) {
    throw new ModelSpecMismatchError(`${field}: the model has no input "${name}" (inputs: ${inputs.map((i) => i.name).join(", ")})`);
  }
  return found;
}

function checkImageInput(info: ModelValueInfo, spec: ImageToImageSpec): void {
  const { shape, type } = info;
  if (type !== "float32") throw new ModelSpecMismatchError(`input.name: input "${info.name}" is ${type}, expected float32`);
  if (shape.length === 0) return; // shape not declared: trust the spec
  const expected = [undefined, 3, spec.input.height, spec.input.width];
  const fits = shape.length === 4 && shape.every((dim, i) => typeof dim !== "number" || i === 0 || dim === expected[i]);
  if (!fits) {
    throw new ModelSpecMismatchError(
      `input: model input "${info.name}" has shape [${shape.join(", ")}], spec says [N, 3, ${spec.input.height}, ${spec.input.width}]`,
    );
  }
}

function checkAllInputsDescribed(inputs: ModelValueInfo[], spec: ImageToImageSpec): void {
  const described = new Set([spec.input.name, ...spec.extraInputs.map((e) => e.name)]);
  const missing = inputs.filter((i) => !described.has(i.name)).map((i) => i.name);
  if (missing.length > 0) {
    throw new ModelSpecMismatchError(`extraInputs: model inputs ${missing.join(", ")} are not described by the spec`);
  }
}

function outputNameOf(outputs: ModelValueInfo[], spec: ImageToImageSpec): string {
  const name = spec.output.name ?? outputs[0]?.name;
  if (!name || !outputs.some((o) => o.name === name)) {
    throw new ModelSpecMismatchError(`output.name: the model has no output "${name}" (outputs: ${outputs.map((o) => o.name).join(", ")})`);
  }
  return name;
}

export function bindModel(
  spec: ImageToImageSpec,
  model: { inputs: ModelValueInfo[]; outputs: ModelValueInfo[] },
  requestedBatchSize: number,
): ModelBinding {
  const input = findInput(model.inputs, spec.input.name, "input.name");
  checkImageInput(input, spec);
  spec.extraInputs.forEach((extra, i) => findInput(model.inputs, extra.name, `extraInputs.${i}.name`));
  checkAllInputsDescribed(model.inputs, spec);
  const declaredBatch = input.shape[0];
  const fixedBatch = typeof declaredBatch === "number" && declaredBatch > 0;
  return {
    inputName: spec.input.name,
    outputName: outputNameOf(model.outputs, spec),
    batchSize: fixedBatch ? declaredBatch : requestedBatchSize,
    fixedBatch,
  };
}
