// Embeds benchmark images with an FR model's ONNX export: original + flipped, in batches, in an
// inference worker thread (CUDA when available, else CPU). The next batch is decoded while the
// current one runs through the model.
import type { EmbeddingSpec } from "../../models/input-spec";
import type { SkippedProvider } from "../inference/execution-provider";
import { AbortError, InferenceWorker } from "../inference/session-host";
import { bindEmbeddingModel, rawEmbeddings, type EmbeddingBinding } from "./embedding-binding";
import { ModelSpecMismatchError } from "../transfer/errors";
import { prepareImageBatch, type ImageBatch, type ImageSource } from "./image-tensors";

/** Raw embeddings, one row of `dim` per image, in source order. */
export interface ImageEmbeddings {
  original: Float32Array;
  flipped: Float32Array;
  dim: number;
}

export interface EmbedderOptions {
  batchSize: number;
  executionProviders?: readonly string[];
}

export class Embedder {
  private constructor(
    private readonly session: InferenceWorker,
    private readonly spec: EmbeddingSpec,
    private readonly binding: EmbeddingBinding,
  ) {}

  static async open(modelPath: string, spec: EmbeddingSpec, options: EmbedderOptions): Promise<Embedder> {
    const session = await InferenceWorker.open(modelPath, { executionProviders: options.executionProviders });
    try {
      return new Embedder(session, spec, bindEmbeddingModel(spec, session, options.batchSize));
    } catch (error) {
      await session.close();
      throw error;
    }
  }

  get provider(): string {
    return this.session.provider;
  }
  get fallbacks(): SkippedProvider[] {
    return this.session.fallbacks;
  }
  get batchSize(): number {
    return this.binding.batchSize;
  }

  /** Embeds `count` images; `source(i)` gives image i; `onProgress(done)` after every batch. */
  async embed(
    count: number,
    source: (index: number) => ImageSource,
    onProgress: (done: number) => void,
    signal: AbortSignal,
  ): Promise<ImageEmbeddings> {
    let original: Float32Array | null = null;
    let flipped: Float32Array | null = null;
    let dim = 0;
    await this.embedBatches(count, source, (start, a, b, d) => {
      if (!original || !flipped) {
        dim = d;
        original = new Float32Array(count * dim);
        flipped = new Float32Array(count * dim);
      }
      original.set(a, start * dim);
      flipped.set(b, start * dim);
      onProgress(start + a.length / dim);
    }, signal);
    return { original: original ?? new Float32Array(0), flipped: flipped ?? new Float32Array(0), dim };
  }

  /**
   * Embeds `count` images a batch at a time, handing each batch's raw embeddings (original and
   * flipped, rows of `dim`) to `onBatch` in order without keeping them.
   */
  async embedBatches(
    count: number,
    source: (index: number) => ImageSource,
    onBatch: (start: number, original: Float32Array, flipped: Float32Array, dim: number) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const size = this.binding.batchSize;
    const prepare = (start: number) => {
      const sources = Array.from({ length: Math.min(size, count - start) }, (_, k) => source(start + k));
      const prepared = prepareImageBatch(sources, this.spec.input, this.binding.fixedBatch ? size : sources.length);
      prepared.catch(() => undefined); // awaited below; an early exit must not leave it unhandled
      return prepared;
    };
    let dim = 0;
    let next = count > 0 ? prepare(0) : null;
    for (let start = 0; start < count; start += size) {
      if (signal.aborted) throw new AbortError(undefined, { cause: signal.reason });
      const batch = await next!;
      next = start + size < count ? prepare(start + size) : null;
      const a = await this.run(batch, batch.original, signal);
      const b = await this.run(batch, batch.flipped, signal);
      if (dim === 0) dim = a.dim;
      if (a.dim !== dim || b.dim !== dim) {
        throw new ModelSpecMismatchError(`output.embedding: ${dim} values per image in the first batch, ${a.dim} later`);
      }
      onBatch(start, a.values.slice(0, batch.count * dim), b.values.slice(0, batch.count * dim), dim);
    }
  }

  close(): Promise<void> {
    return this.session.close();
  }

  private async run(batch: ImageBatch, pixels: Float32Array, signal: AbortSignal) {
    const { inputName, embeddingName, normName } = this.binding;
    const dims = [batch.feedBatch, 3, this.spec.input.height, this.spec.input.width];
    const outputNames = normName ? [embeddingName, normName] : [embeddingName];
    const outputs = await this.session.run({ [inputName]: { type: "float32", data: pixels, dims } }, outputNames, signal);
    return rawEmbeddings(outputs, this.binding, this.spec, batch.feedBatch);
  }
}
