// The face model a job embeds with, looked up again when the job starts (it may have been
// removed or replaced since the launch checked it): its file and its embedding input spec.
import { isEmbeddingSpec, parseModelInputSpec, type EmbeddingSpec } from "../../models/input-spec";
import type { JobLookups } from "../run-port";

export async function embeddingModel(lookups: JobLookups, faceModelId: string): Promise<{ name: string; modelPath: string; spec: EmbeddingSpec }> {
  const model = await lookups.faceModel(faceModelId);
  if (!model) throw new Error(`face model ${faceModelId} no longer exists`);
  const spec = parseModelInputSpec(model.inputSpec);
  if (!isEmbeddingSpec(spec)) throw new Error(`face model ${model.name}'s input spec does not describe an embedding output`);
  return { name: model.name, modelPath: model.modelPath, spec };
}
