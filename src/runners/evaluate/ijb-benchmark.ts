// IJB-B/C 1:1 from an IJB folder (ijb-layout.ts): image features (flip sum, optional detection-score
// weighting) -> media/template pooling -> template-pair scores -> TAR at FMR 1e-6 ... 1e-1 off
// scikit-learn's ROC, plus a thinned ROC for plotting. eval_ijbc.py's order throughout: feature
// rows follow name_5pts_score, template/media ids face_tid_mid (checked to list the same images).
// Features stream through in blocks and are pooled into templates as they come (TemplatePooler),
// so the image features (2 x ~1 GB at IJB-C size) are never held whole.
import {
  checkMetaAlignment,
  IJB_FMRS,
  ijbImageFeatures,
  ijbTarAtFmr,
  l2NormalizeRows,
  readFaceTidMid,
  readName5ptsScore,
  readTemplatePairs,
  scoreTemplatePairs,
  TemplatePooler,
  thinRoc,
  type TemplateFeatures,
} from "../../metrics";
import { tarAtFmr as tarMetricName } from "../../domain/metric-names";
import { AbortError } from "../inference/session-host";
import { streamBenchmarkFeatures } from "./features";
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

/** image2template_feature's result: the pooled sums, normalised by sklearn's normalize. */
function normalizedTemplates(pooler: TemplatePooler): TemplateFeatures {
  const sums = pooler.result();
  return { ...sums, features: l2NormalizeRows(sums.features, sums.dim) };
}

export const evaluateIjbBenchmark: BenchmarkEvaluator = async (benchmark, context) => {
  if (!benchmark.dataPath) throw new Error(`benchmark ${benchmark.name}: no IJB folder to read`);
  const meta = ijbMetaFiles(benchmark.dataPath, benchmark.ijbPrefix ?? "ijbc");
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
  const aligned = benchmark.alignment === "LANDMARKS";
  let pooler: TemplatePooler | null = null;
  const streamed = await streamBenchmarkFeatures(
    benchmark,
    images,
    (i) => {
      if (!imageDir) throw new Error(`benchmark ${benchmark.name}: no image folder`);
      const name = landmarks.images[i]!;
      const file = ijbImagePath(imageDir, name);
      const read = context.readImage;
      return {
        data: read ? () => read(file) : file,
        label: `benchmark ${benchmark.name}: image ${name}`,
        ...(aligned ? { landmarks: landmarks.landmarks.subarray(i * 10, i * 10 + 10) } : {}),
      };
    },
    context,
    (start, original, flipped, dim) => {
      const rows = original.length / dim;
      const fused = ijbImageFeatures(original, dim, {
        ...(flipped ? { flipped } : {}),
        ...(context.params.useDetectorScore ? { detectorScores: landmarks.scores.subarray(start, start + rows) } : {}),
      });
      pooler ??= new TemplatePooler(faces.templates, faces.medias, dim);
      pooler.addRows(fused);
    },
  );
  if (!pooler) throw new Error(`benchmark ${benchmark.name}: the meta files list no images`);
  const templates = normalizedTemplates(pooler);
  pooler = null; // its unnormalised sums can go before scoring
  const scores = await scorePairs(templates, pairs.t1, pairs.t2, context, `${benchmark.name}: scoring`);
  const { roc, tar } = ijbTarAtFmr(pairs.labels, scores, IJB_FMRS);
  const thin = thinRoc(roc);
  return {
    metrics: tar.map((t) => ({ name: tarMetricName(t.fmr), value: t.tar, std: null })),
    roc: { x: Array.from(thin.fpr), y: Array.from(thin.tpr), thresholds: Array.from(thin.thresholds, finiteOrNull) },
    details: {
      protocol: "IJB_TEMPLATE_1TO1",
      source: benchmark.features ? "features" : "model",
      ...(benchmark.features ? {} : { alignment: benchmark.alignment ?? "PREALIGNED" }),
      pairs: pairs.labels.length,
      genuinePairs: genuine,
      impostorPairs: pairs.labels.length - genuine,
      images,
      templates: templates.templateIds.length,
      useDetectorScore: context.params.useDetectorScore,
      flipped: streamed.flipped,
      rocPoints: roc.fpr.length,
      tarAtFmr: tar.map((t) => ({ fmr: t.fmr, tar: t.tar, fpr: t.fpr, threshold: finiteOrNull(t.threshold) })),
    },
  };
};
