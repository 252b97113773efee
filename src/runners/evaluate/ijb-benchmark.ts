// IJB-C 1:1 from an IJB folder (ijb-layout.ts): image features (flip sum, optional detection-score
// weighting) -> media/template pooling -> template-pair scores -> TAR at FMR 1e-6 ... 1e-1 off
// scikit-learn's ROC, plus a thinned ROC for plotting. eval_ijbc.py's order throughout: feature
// rows follow name_5pts_score, template/media ids face_tid_mid (checked to list the same images).
import {
  checkMetaAlignment,
  IJB_FMRS,
  ijbImageFeatures,
  ijbTarAtFmr,
  poolTemplates,
  readFaceTidMid,
  readName5ptsScore,
  readTemplatePairs,
  scoreTemplatePairs,
  thinRoc,
  type TemplateFeatures,
} from "../../metrics";
import { tarAtFmr as tarMetricName } from "../../domain/metric-names";
import { AbortError } from "../inference/session-host";
import { benchmarkFeatures } from "./features";
import { ijbImagePath, ijbMetaFiles } from "./ijb-layout";
import { finiteOrNull, type BenchmarkEvaluator, type EvaluationContext } from "./outcome";
import { checkBenchmarkSize } from "./protocol-size";

const PAIRS_PER_CHUNK = 1 << 20;

/** Scores the pairs a chunk at a time, yielding between chunks for progress, heartbeats and aborts. */
async function scorePairs(
  templates: TemplateFeatures,
  t1: Int32Array,
  t2: Int32Array,
  context: EvaluationContext,
  phase: string,
): Promise<Float64Array> {
  const scores = new Float64Array(t1.length);
  for (let start = 0; start < t1.length; start += PAIRS_PER_CHUNK) {
    if (context.signal.aborted) throw new AbortError(undefined, { cause: context.signal.reason });
    const end = Math.min(t1.length, start + PAIRS_PER_CHUNK);
    scores.set(scoreTemplatePairs(templates, t1.subarray(start, end), t2.subarray(start, end)), start);
    context.progress({ done: end, total: t1.length, phase });
    await new Promise((resolve) => setImmediate(resolve));
  }
  return scores;
}

export const evaluateIjbBenchmark: BenchmarkEvaluator = async (benchmark, context) => {
  if (!benchmark.dataPath) throw new Error(`benchmark ${benchmark.name}: no IJB folder to read`);
  const meta = ijbMetaFiles(benchmark.dataPath);
  const [faces, landmarks, pairs] = await Promise.all([
    readFaceTidMid(meta.faceTidMid),
    readName5ptsScore(meta.name5ptsScore),
    readTemplatePairs(meta.templatePairs),
  ]).catch((error: unknown) => {
    throw new Error(`benchmark ${benchmark.name}: ${(error as Error).message}`);
  });
  checkMetaAlignment(faces, landmarks);
  const genuine = pairs.labels.reduce((sum, label) => sum + label, 0);
  checkBenchmarkSize(benchmark.name, pairs.labels.length, { allowNonStandardSize: context.params.allowNonStandardSize, genuinePairs: genuine });

  const images = landmarks.images.length;
  const imageDir = benchmark.imageDir;
  // In a helper so the raw features (2 x 1 GB at IJB-C scale) can be collected once fused.
  const fused = await (async () => {
    const features = await benchmarkFeatures(
      benchmark,
      images,
      (i) => {
        if (!imageDir) throw new Error(`benchmark ${benchmark.name}: no image folder`);
        const name = landmarks.images[i]!;
        const file = ijbImagePath(imageDir, name);
        const read = context.readImage;
        return { data: read ? () => read(file) : file, label: `benchmark ${benchmark.name}: image ${name}` };
      },
      context,
    );
    const data = ijbImageFeatures(features.original, features.dim, {
      ...(features.flipped ? { flipped: features.flipped } : {}),
      ...(context.params.useDetectorScore ? { detectorScores: landmarks.scores } : {}),
    });
    return { data, dim: features.dim, flipped: features.flipped !== null };
  })();
  const templates = poolTemplates(fused.data, fused.dim, faces.templates, faces.medias);
  const scores = await scorePairs(templates, pairs.t1, pairs.t2, context, `${benchmark.name}: scoring`);
  const { roc, tar } = ijbTarAtFmr(pairs.labels, scores, IJB_FMRS);
  const thin = thinRoc(roc);
  return {
    metrics: tar.map((t) => ({ name: tarMetricName(t.fmr), value: t.tar, std: null })),
    roc: { x: Array.from(thin.fpr), y: Array.from(thin.tpr), thresholds: Array.from(thin.thresholds, finiteOrNull) },
    details: {
      protocol: "IJB_TEMPLATE_1TO1",
      source: benchmark.features ? "features" : "model",
      pairs: pairs.labels.length,
      genuinePairs: genuine,
      impostorPairs: pairs.labels.length - genuine,
      images,
      templates: templates.templateIds.length,
      useDetectorScore: context.params.useDetectorScore,
      flipped: fused.flipped,
      rocPoints: roc.fpr.length,
      tarAtFmr: tar.map((t) => ({ fmr: t.fmr, tar: t.tar, fpr: t.fpr, threshold: finiteOrNull(t.threshold) })),
    },
  };
};
