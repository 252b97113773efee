// A DATASET_QUALITY run (src/kinds/dataset-quality): embeds a transferred dataset and
// a real reference set with a face model and returns benchmark-less quality:* metrics as its outcome.
import type { DatasetQualityParams } from "../../runners/quality/params";
import { runDatasetQuality } from "../../runners/quality/run-dataset-quality";
import { createRunnerFiles } from "../../runners/runner-files";
import { embeddingModel } from "./embedding-model";
import type { JobContext, RunOutcome } from "./job";

export async function runDatasetQualityJob(context: JobContext): Promise<RunOutcome> {
  const { signal, progress, lookups, paths: dataPaths } = context;
  const stored = context.run.params as DatasetQualityParams;
  // Checked at launch; checked again now, as the folders may have changed since.
  const params = {
    ...stored,
    datasetDir: await dataPaths.resolveExisting("datasetDir", stored.datasetDir, "directory"),
    referenceDir: await dataPaths.resolveExisting("referenceDir", stored.referenceDir, "directory"),
  };
  const { modelPath, spec } = await embeddingModel(lookups, params.faceModelId);

  const result = await runDatasetQuality({
    params,
    model: { path: await dataPaths.resolveExisting("faceModel.modelPath", modelPath, "file"), spec },
    signal,
    onProgress: (update) => progress.report(update),
    readImage: createRunnerFiles(dataPaths.roots).read,
  });
  const { separability } = result;
  return {
    metrics: result.metrics.map((m) => ({ name: m.name, value: m.value, step: 0 })),
    device: result.provider,
    details: {
      quality: {
        images: result.images,
        referenceImages: result.referenceImages,
        identities: result.identities,
        dim: result.dim,
        intraPairs: separability.intraPairs,
        interPairs: separability.interPairs,
        sampledPairs: separability.sampled,
      },
      seconds: result.seconds,
    },
  };
}
