// Dataset quality with an FR model as feature extractor: embeds the evaluated dataset and the
// reference set exactly as the evaluation does (sharp decode + model preprocessing, original +
// mirror, raw outputs summed in float64 then L2-normalised), then computes the Fréchet distance
// between the two embedding sets and the evaluated set's identity separability.
import type { EmbeddingSpec } from "../../models/input-spec";
import { fuseFlipped } from "../../metrics/embeddings";
import { frechetDistance, identitySeparability, type IdentitySeparability } from "../../metrics/dataset-quality";
import { Embedder } from "../evaluate/embedder";
import { walkImages, type DatasetImage } from "../transfer/dataset-walker";
import type { DatasetQualityParams, QualityMetric } from "./params";

export interface DatasetQualityProgress {
  done: number;
  total: number | null;
  phase: string;
}

export interface DatasetQualityResult {
  metrics: { name: QualityMetric; value: number }[];
  images: number;
  referenceImages: number;
  identities: number;
  dim: number;
  separability: IdentitySeparability;
  provider: string;
  seconds: number;
}

/** The first `limit` images of a dataset folder, in walk order. */
export async function listImages(dir: string, limit: number | null): Promise<DatasetImage[]> {
  const images: DatasetImage[] = [];
  for await (const image of walkImages(dir)) {
    if (limit !== null && images.length >= limit) break;
    images.push(image);
  }
  return images;
}

type ReadImage = ((file: string) => Promise<Buffer>) | undefined;

async function embedAll(embedder: Embedder, images: DatasetImage[], phase: string, onProgress: (u: DatasetQualityProgress) => void, signal: AbortSignal, read: ReadImage) {
  const raw = await embedder.embed(
    images.length,
    (i) => {
      const file = images[i]!.absolutePath;
      return { data: read ? () => read(file) : file, label: images[i]!.relativePath };
    },
    (done) => onProgress({ done, total: images.length, phase }),
    signal,
  );
  return { embeddings: fuseFlipped(raw.original, raw.flipped, raw.dim), dim: raw.dim };
}

export async function runDatasetQuality(request: {
  params: DatasetQualityParams;
  model: { path: string; spec: EmbeddingSpec };
  signal: AbortSignal;
  onProgress: (update: DatasetQualityProgress) => void;
  /** Reads image files (the worker's data-roots reader, src/runners/runner-files.ts). */
  readImage?: (file: string) => Promise<Buffer>;
}): Promise<DatasetQualityResult> {
  const { params, model, signal, onProgress } = request;
  const started = performance.now();
  const images = await listImages(params.datasetDir, params.limit);
  const reference = await listImages(params.referenceDir, params.limit);
  if (images.length < 2) throw new Error(`the dataset has ${images.length} image(s) under ${params.datasetDir}; at least 2 are needed`);
  if (reference.length < 2) throw new Error(`the reference set has ${reference.length} image(s) under ${params.referenceDir}; at least 2 are needed`);
  const embedder = await Embedder.open(model.path, model.spec, { batchSize: params.batchSize });
  try {
    const evaluated = await embedAll(embedder, images, "embedding dataset", onProgress, signal, request.readImage);
    const real = await embedAll(embedder, reference, "embedding reference", onProgress, signal, request.readImage);
    onProgress({ done: 0, total: null, phase: "quality measures" });
    const frechet = frechetDistance(evaluated.embeddings, real.embeddings, evaluated.dim);
    const separability = identitySeparability(evaluated.embeddings, evaluated.dim, (i) => images[i]!.identity, { maxPairs: params.maxPairs });
    const metrics: { name: QualityMetric; value: number }[] = [{ name: "quality:frechet", value: frechet }];
    if (separability.intraCosine !== null) metrics.push({ name: "quality:intra_cosine", value: separability.intraCosine });
    if (separability.interCosine !== null) metrics.push({ name: "quality:inter_cosine", value: separability.interCosine });
    if (separability.separability !== null) metrics.push({ name: "quality:separability", value: separability.separability });
    return {
      metrics,
      images: images.length,
      referenceImages: reference.length,
      identities: new Set(images.map((i) => i.identity)).size,
      dim: evaluated.dim,
      separability,
      provider: embedder.provider,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await embedder.close();
  }
}
