// Image -> media -> template pooling and template-pair scoring as eval_ijbc.py does it.
// Image features are float32 there (np.float32 buffers), so every step before the template sum
// is float32 arithmetic, emulated here with Math.fround (exact: each f32 op equals the f64 op
// rounded once). Template features are float64 (np.zeros), normalised with sklearn, and pair
// scores are np.sum(feat1 * feat2, -1) in float64.
import { l2NormalizeRows } from "./embeddings";
import { TemplatePooler } from "./ijbc-template-pooler";
import { pairwiseDot, pairwiseSum } from "./numpy-reduce";

const f32 = Math.fround;

export interface ImageFeatureOptions {
  /** Raw features of the horizontally flipped images; summed with the originals (use_flip_test). */
  flipped?: Float32Array;
  /** Divide each image feature by its norm (use_norm_score = False). Default false, as insightface. */
  normalizeImages?: boolean;
  /** Multiply each image feature by its detection score (use_detector_score). */
  detectorScores?: Float32Array;
}

/** The `img_input_feats` of eval_ijbc.py, from raw per-image features (rows of `dim`). */
export function ijbImageFeatures(original: Float32Array, dim: number, options: ImageFeatureOptions = {}): Float32Array {
  if (original.length % dim !== 0) throw new Error(`ijbImageFeatures: ${original.length} values is not a multiple of dim ${dim}`);
  const rows = original.length / dim;
  const out = Float32Array.from(original);
  if (options.flipped) {
    if (options.flipped.length !== original.length) {
      throw new Error(`ijbImageFeatures: ${original.length} original values but ${options.flipped.length} flipped`);
    }
    for (let i = 0; i < out.length; i++) out[i] = f32(out[i] + options.flipped[i]);
  }
  if (options.normalizeImages) {
    const sq = new Float32Array(dim);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < dim; j++) sq[j] = f32(out[r * dim + j] * out[r * dim + j]);
      const norm = f32(Math.sqrt(pairwiseSum(sq, 0, dim, f32)));
      for (let j = 0; j < dim; j++) out[r * dim + j] = f32(out[r * dim + j] / norm);
    }
  }
  if (options.detectorScores) {
    if (options.detectorScores.length !== rows) {
      throw new Error(`ijbImageFeatures: ${rows} images but ${options.detectorScores.length} detector scores`);
    }
    for (let r = 0; r < rows; r++) {
      const s = options.detectorScores[r];
      for (let j = 0; j < dim; j++) out[r * dim + j] = f32(out[r * dim + j] * s);
    }
  }
  return out;
}

export interface TemplateFeatures {
  /** Template ids, ascending (np.unique). */
  templateIds: Int32Array;
  /** Row i is the feature of templateIds[i]. */
  features: Float64Array;
  dim: number;
}

/**
 * image2template_feature before its final normalisation: per template (ascending id), the mean
 * of each media's images (float32, images in file order), summed over the media (ascending id).
 * The in-memory form of TemplatePooler (ijbc-template-pooler.ts), which the runner streams.
 */
export function sumTemplateFeatures(
  imageFeatures: Float32Array,
  dim: number,
  templates: Int32Array,
  medias: Int32Array,
): TemplateFeatures {
  const rows = imageFeatures.length / dim;
  if (!Number.isInteger(rows)) throw new Error(`sumTemplateFeatures: ${imageFeatures.length} values is not a multiple of dim ${dim}`);
  if (templates.length !== rows || medias.length !== rows) {
    throw new Error(`sumTemplateFeatures: ${rows} image features but ${templates.length} template ids and ${medias.length} media ids`);
  }
  const pooler = new TemplatePooler(templates, medias, dim);
  pooler.addRows(imageFeatures);
  return pooler.result();
}

/** image2template_feature: sumTemplateFeatures, then sklearn.preprocessing.normalize. */
export function poolTemplates(
  imageFeatures: Float32Array,
  dim: number,
  templates: Int32Array,
  medias: Int32Array,
): TemplateFeatures {
  const sum = sumTemplateFeatures(imageFeatures, dim, templates, medias);
  return { ...sum, features: l2NormalizeRows(sum.features, dim) };
}

/**
 * Score of each template pair: dot product of the two template features. Unlike the reference
 * (whose template2id lookup silently maps unknown ids to row 0), an unknown id is an error.
 */
export function scoreTemplatePairs(templates: TemplateFeatures, t1: Int32Array, t2: Int32Array): Float64Array {
  if (t1.length !== t2.length) throw new Error(`scoreTemplatePairs: ${t1.length} first ids but ${t2.length} second ids`);
  const { dim, features } = templates;
  const row = new Map<number, number>();
  templates.templateIds.forEach((id, i) => row.set(id, i));
  const lookup = (id: number, pair: number) => {
    const r = row.get(id);
    if (r === undefined) throw new Error(`scoreTemplatePairs: pair ${pair} names template ${id}, which has no images`);
    return r * dim;
  };
  const scores = new Float64Array(t1.length);
  for (let p = 0; p < t1.length; p++) {
    scores[p] = pairwiseDot(features, lookup(t1[p], p), features, lookup(t2[p], p), dim);
  }
  return scores;
}
