// A dataset-quality EVALUATE run (params.mode "dataset-quality"): embeds a transferred dataset and
// a real reference set with a face model and stores benchmark-less quality:* metrics on the run.
import { isEmbeddingSpec, parseModelInputSpec } from "../../models/input-spec";
import type { DatasetQualityParams } from "../../runners/quality/params";
import { runDatasetQuality } from "../../runners/quality/run-dataset-quality";
import { createRunnerFiles } from "../../runners/runner-files";
import { metricAuditChanges } from "../../services/metrics-service";
import type { JobContext, JobOutcome } from "./job";

export async function runDatasetQualityJob(context: JobContext): Promise<JobOutcome> {
  const { run, signal, progress, services } = context;
  const stored = run.params as unknown as DatasetQualityParams;
  // Checked at launch; checked again now, as the folders may have changed since.
  const { dataPaths } = services;
  const params = {
    ...stored,
    datasetDir: await dataPaths.resolveExisting("datasetDir", stored.datasetDir, "directory"),
    referenceDir: await dataPaths.resolveExisting("referenceDir", stored.referenceDir, "directory"),
  };
  const [model] = await services.stores.catalogue.faceModelsByIds([params.faceModelId]);
  if (!model) throw new Error(`face model ${params.faceModelId} no longer exists`);
  const spec = parseModelInputSpec(model.inputSpec);
  if (!isEmbeddingSpec(spec)) throw new Error(`face model ${model.name}'s input spec does not describe an embedding output`);

  const result = await runDatasetQuality({
    params,
    model: { path: await services.dataPaths.resolveExisting("faceModel.modelPath", model.modelPath, "file"), spec },
    signal,
    onProgress: (update) => progress.report(update),
    readImage: createRunnerFiles(dataPaths.roots).read,
  });
  await services.stores.transaction(async (tx) => {
    const rows = result.metrics.map((m) => ({ runId: run.id, benchmarkId: null, name: m.name, value: m.value, std: null, step: 0 }));
    const inserted = await tx.metrics.upsert(rows);
    await tx.audit.record({ runId: run.id, actor: `worker ${context.identity.name}`, tokenId: null, action: "logMetrics", changes: metricAuditChanges(rows, inserted) });
    await tx.notify("metricLogged", { runId: run.id, count: rows.length, names: rows.map((r) => r.name) });
  });
  const { separability } = result;
  return {
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
