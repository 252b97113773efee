// A model is checked when it is registered, not when a run first touches it: the
// file must be a loadable ONNX model whose inputs and outputs are the ones its
// spec names, with static image dimensions (if any) equal to the spec's size.
import * as ort from "onnxruntime-node";
import { badInput } from "../errors";
import type { ModelInputSpec } from "../models/input-spec";

function outputNames(spec: ModelInputSpec): Array<string | number> {
  const output = spec.output;
  if (output.kind === "image") return output.name ? [output.name] : [];
  return [output.embedding, ...(output.norm !== undefined ? [output.norm] : [])];
}

export async function checkOnnxModel(field: string, modelPath: string, spec: ModelInputSpec): Promise<void> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(modelPath, { executionProviders: ["cpu"], graphOptimizationLevel: "disabled" });
  } catch (error) {
    throw badInput(field, `${modelPath} is not a loadable ONNX model (${(error as Error).message.split("\n")[0]})`);
  }
  try {
    const inputs = [spec.input.name, ...spec.extraInputs.map((e) => e.name)];
    const missing = inputs.filter((name) => !session.inputNames.includes(name));
    if (missing.length) {
      throw badInput("inputSpec", `the model has no input ${missing.map((m) => JSON.stringify(m)).join(", ")} (its inputs: ${session.inputNames.join(", ")})`);
    }
    for (const ref of outputNames(spec)) {
      const ok = typeof ref === "number" ? ref < session.outputNames.length : session.outputNames.includes(ref);
      if (!ok) throw badInput("inputSpec", `the model has no output ${JSON.stringify(ref)} (its outputs: ${session.outputNames.join(", ")})`);
    }
    const metadata = session.inputMetadata.find((m) => m.name === spec.input.name);
    const shape = metadata && "shape" in metadata ? (metadata.shape as Array<number | string>) : null;
    if (shape && shape.length === 4) {
      const [, channels, height, width] = shape;
      const fixed = (dim: number | string | undefined, expected: number) => typeof dim !== "number" || dim <= 0 || dim === expected;
      if (!fixed(channels, 3) || !fixed(height, spec.input.height) || !fixed(width, spec.input.width)) {
        throw badInput(
          "inputSpec",
          `the model's input ${spec.input.name} has shape [${shape.join(", ")}], but the spec says 3x${spec.input.height}x${spec.input.width}`,
        );
      }
    }
  } finally {
    await session.release();
  }
}
