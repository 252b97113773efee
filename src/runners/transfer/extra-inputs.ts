import type { Dim, ExtraInputSpec, NoiseInputSpec, TensorDtype } from "../../models/input-spec";
import type { TensorPayload } from "../inference/session-protocol";
import { GaussianStream, noiseStreamSeed } from "./seeded-noise";

function resolveDims(shape: readonly Dim[], batch: number): number[] {
  return shape.map((dim) => (dim === "N" ? batch : dim));
}

function filledTensor(dtype: TensorDtype, dims: number[], value: number): TensorPayload {
  const size = dims.reduce((a, b) => a * b, 1);
  switch (dtype) {
    case "float32":
      return { type: dtype, dims, data: new Float32Array(size).fill(value) };
    case "float64":
      return { type: dtype, dims, data: new Float64Array(size).fill(value) };
    case "int32":
      return { type: dtype, dims, data: new Int32Array(size).fill(Math.trunc(value)) };
    case "int64":
      return { type: dtype, dims, data: new BigInt64Array(size).fill(BigInt(Math.trunc(value))) };
  }
}

/**
 * Noise streams of one noise input for one batch. With a leading "N" every image has its own
 * stream (seeded by run seed, input name and image path), so its noise does not depend on the
 * batch it lands in; padded slots stay zero. Without it one stream keyed by the batch's first
 * image serves the whole tensor.
 */
class NoiseSource {
  private readonly streams: GaussianStream[];
  private readonly perImage: boolean;

  constructor(
    private readonly spec: NoiseInputSpec,
    imageKeys: readonly string[],
    seed: number,
  ) {
    this.perImage = spec.shape[0] === "N";
    const keys = this.perImage ? imageKeys : [`batch:${imageKeys[0] ?? ""}`];
    this.streams = keys.map((key) => new GaussianStream(noiseStreamSeed(seed, spec.name, key)));
  }

  nextTensor(batch: number): TensorPayload {
    const dims = resolveDims(this.spec.shape, batch);
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
    const count = this.perImage ? data.length / batch : data.length;
    this.streams.forEach((stream, i) => stream.fill(data, i * count, count, this.spec.std));
    return { type: "float32", dims, data };
  }
}

/** Builds the feeds of a spec's extra inputs for each step of one batch. */
export class ExtraInputFeeds {
  private readonly noise = new Map<string, NoiseSource>();

  constructor(
    private readonly extraInputs: readonly ExtraInputSpec[],
    private readonly optionValues: ReadonlyMap<string, number>,
    private readonly batch: number,
    imageKeys: readonly string[],
    seed: number,
  ) {
    for (const extra of extraInputs) {
      if (extra.source === "noise") this.noise.set(extra.name, new NoiseSource(extra, imageKeys, seed));
    }
  }

  forStep(step: number): Record<string, TensorPayload> {
    const feeds: Record<string, TensorPayload> = {};
    for (const extra of this.extraInputs) feeds[extra.name] = this.tensorFor(extra, step);
    return feeds;
  }

  private tensorFor(extra: ExtraInputSpec, step: number): TensorPayload {
    switch (extra.source) {
      case "option":
        return filledTensor(extra.dtype, resolveDims(extra.shape, this.batch), this.optionValues.get(extra.option)!);
      case "timeIndex": {
        const value = extra.values ? extra.values[step]! : step; // length checked with the options
        return filledTensor(extra.dtype, resolveDims(extra.shape, this.batch), value);
      }
      case "noise":
        return this.noise.get(extra.name)!.nextTensor(this.batch);
    }
  }
}
