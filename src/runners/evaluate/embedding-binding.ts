// Checks an embedding model against its input spec and resolves which outputs to read: the
// embedding (by name or position) and, for AdaFace-style exports, its norm.
import type { EmbeddingSpec, OutputRef } from "../../models/input-spec";
import type { ModelValueInfo, TensorPayload } from "../inference/session-protocol";
import { ModelSpecMismatchError } from "../transfer/errors";

export interface EmbeddingBinding {
  inputName: string;
  embeddingName: string;
  normName: string | null;
  /** Images per run call: the requested batch size, or the model's fixed batch dimension. */
  batchSize: number;
  /** The batch dimension is fixed: partial batches are zero-padded to it. */
  fixedBatch: boolean;
}

function outputName(outputs: ModelValueInfo[], ref: OutputRef, field: string): string {
  const found = typeof ref === "number" ? outputs[ref] : outputs.find((o) => o.name === ref);
  if (!found) {
    throw new ModelSpecMismatchError(
      `${field}: the model has no output ${JSON.stringify(ref)} (outputs: ${outputs.map((o) => o.name).join(", ")})`,
    );
  }
  return found.name;
}

export function bindEmbeddingModel(
  spec: EmbeddingSpec,
  model: { inputs: ModelValueInfo[]; outputs: ModelValueInfo[] },
  requestedBatchSize: number,
): EmbeddingBinding {
  if (spec.extraInputs.length > 0) throw new ModelSpecMismatchError("extraInputs: an embedding model takes only the image");
  const input = model.inputs.find((i) => i.name === spec.input.name);
  if (!input) {
    throw new ModelSpecMismatchError(
      `input.name: the model has no input "${spec.input.name}" (inputs: ${model.inputs.map((i) => i.name).join(", ")})`,
    );
  }
  const others = model.inputs.filter((i) => i !== input).map((i) => i.name);
  if (others.length) throw new ModelSpecMismatchError(`input: the model also needs inputs ${others.join(", ")}, which an evaluation cannot feed`);
  if (input.type !== "float32") throw new ModelSpecMismatchError(`input.name: input "${input.name}" is ${input.type}, expected float32`);
  const expected = [undefined, 3, spec.input.height, spec.input.width];
  if (input.shape.length > 0 && (input.shape.length !== 4 || input.shape.some((d, i) => i > 0 && typeof d === "number" && d !== expected[i]))) {
    throw new ModelSpecMismatchError(
      `input: model input "${input.name}" has shape [${input.shape.join(", ")}], spec says [N, 3, ${spec.input.height}, ${spec.input.width}]`,
    );
  }
  const declaredBatch = input.shape[0];
  const fixedBatch = typeof declaredBatch === "number" && declaredBatch > 0;
  return {
    inputName: input.name,
    embeddingName: outputName(model.outputs, spec.output.embedding, "output.embedding"),
    normName: spec.output.norm === undefined ? null : outputName(model.outputs, spec.output.norm, "output.norm"),
    batchSize: fixedBatch ? (declaredBatch as number) : requestedBatchSize,
    fixedBatch,
  };
}

/**
 * Raw embeddings of one run call ([feedBatch x dim]): the embedding output itself, or unit
 * embedding * norm (a float32 product, as the reference computes it).
 */
export function rawEmbeddings(
  outputs: Record<string, TensorPayload>,
  binding: EmbeddingBinding,
  spec: EmbeddingSpec,
  feedBatch: number,
): { values: Float32Array; dim: number } {
  const embedding = outputs[binding.embeddingName];
  if (!embedding || embedding.type !== "float32" || embedding.dims[0] !== feedBatch || embedding.data.length % feedBatch !== 0) {
    const got = embedding ? `${embedding.type} [${embedding.dims.join(", ")}]` : "nothing";
    throw new ModelSpecMismatchError(`output.embedding: expected "${binding.embeddingName}" as float32 [${feedBatch}, D], got ${got}`);
  }
  const dim = embedding.data.length / feedBatch;
  if (spec.output.dimension !== undefined && dim !== spec.output.dimension) {
    throw new ModelSpecMismatchError(`output.dimension: the spec says ${spec.output.dimension}, the model outputs ${dim} values per image`);
  }
  const values = embedding.data as Float32Array;
  if (!binding.normName) return { values, dim };
  const norm = outputs[binding.normName];
  if (!norm || norm.type !== "float32" || norm.data.length !== feedBatch) {
    const got = norm ? `${norm.type} [${norm.dims.join(", ")}]` : "nothing";
    throw new ModelSpecMismatchError(`output.norm: expected "${binding.normName}" as float32 [${feedBatch}] or [${feedBatch}, 1], got ${got}`);
  }
  const raw = new Float32Array(values.length);
  for (let i = 0; i < feedBatch; i++) {
    const n = norm.data[i] as number;
    for (let j = i * dim; j < (i + 1) * dim; j++) raw[j] = values[j]! * n;
  }
  return { values: raw, dim };
}
