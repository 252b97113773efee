// One IJB-C evaluation from precomputed features, alone in its process, for the bench: the
// runner's own code path (evaluateIjbBenchmark), timed, with the process's peak RSS.
//   tsx bench/ijbc/run-ours.ts DIR [in-memory]
// `in-memory` runs the previous approach instead (whole .npy files, fused copy, pooling in
// memory) for comparison.
import path from "node:path";
import {
  IJB_FMRS,
  ijbImageFeatures,
  ijbTarAtFmr,
  poolTemplates,
  readFaceTidMid,
  readName5ptsScore,
  readNpy,
  readTemplatePairs,
  scoreTemplatePairs,
} from "../../src/metrics";
import { evaluateIjbBenchmark } from "../../src/runners/evaluate/ijb-benchmark";
import type { EvaluateRunParams } from "../../src/runners/evaluate";

const [dir, mode] = process.argv.slice(2);
if (!dir) throw new Error("usage: run-ours.ts DIR [in-memory]");
const original = path.join(dir, "features-original.npy");
const flipped = path.join(dir, "features-flipped.npy");

async function streamed(): Promise<number[]> {
  const params: EvaluateRunParams = { mode: "features", batchSize: 64, allowNonStandardSize: true, useDetectorScore: true, benchmarks: [] };
  const outcome = await evaluateIjbBenchmark(
    {
      benchmarkId: "bench",
      name: "IJB-C",
      protocol: "IJB_TEMPLATE_1TO1",
      dataPath: dir!,
      imageDir: null,
      pairs: 15_658_489,
      features: { original, flipped, issame: null },
    },
    {
      params,
      embedder: () => Promise.reject(new Error("no model")),
      signal: new AbortController().signal,
      progress: () => undefined,
    },
  );
  return outcome.metrics.map((m) => m.value);
}

/** What the runner did before streaming: everything in memory. */
async function inMemory(): Promise<number[]> {
  const [faces, landmarks, pairs] = await Promise.all([
    readFaceTidMid(path.join(dir!, "meta", "ijbc_face_tid_mid.txt")),
    readName5ptsScore(path.join(dir!, "meta", "ijbc_name_5pts_score.txt")),
    readTemplatePairs(path.join(dir!, "meta", "ijbc_template_pair_label.txt")),
  ]);
  const fused = (() => {
    const a = readNpy(original);
    const b = readNpy(flipped);
    return ijbImageFeatures(a.data, a.shape[1]!, { flipped: b.data, detectorScores: landmarks.scores });
  })();
  const templates = poolTemplates(fused, readNpy(original).shape[1]!, faces.templates, faces.medias);
  const { tar } = ijbTarAtFmr(pairs.labels, scoreTemplatePairs(templates, pairs.t1, pairs.t2), IJB_FMRS);
  return tar.map((t) => t.tar);
}

const started = performance.now();
const tar = mode === "in-memory" ? await inMemory() : await streamed();
const seconds = (performance.now() - started) / 1000;
const usage = process.resourceUsage();
const cpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
console.log(JSON.stringify({ seconds, cpuSeconds, maxRssBytes: usage.maxRSS * 1024, tar }));
