// Shared by the evaluation tests: small benchmarks in the real formats (an insightface .bin, an
// IJB-C folder), fixture FR models registered through the API, and embeddings computed
// independently of the runner (our own preprocessing + a direct onnxruntime-node session).
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import ort from "onnxruntime-node";
import sharp from "sharp";
import { buildEmbeddingModel, buildPairBenchmark, embeddingModelSpec, renderFace } from "../../src/fixtures";
import { gql, gqlData } from "../helpers/graphql-client";

export const LAUNCH_EVALUATION = `mutation($input: LaunchEvaluationInput!) {
  launchEvaluation(input: $input) { id kind status name seed group params faceModel { name } dataset { name } transferMethod { name } } }`;

export const EVALUATION_STATE = `query($id: ID!) { run(id: $id) { id status error device details
  metrics { name value std benchmark { name } } curves { kind points benchmark { name } } } }`;

/** Polls until the run leaves QUEUED/RUNNING. */
export async function waitForRun(url: string, id: string, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = (await gqlData(url, EVALUATION_STATE, { id })).run;
    if (run.status !== "QUEUED" && run.status !== "RUNNING") return run;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${run.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export const launchEvaluation = (url: string, input: Record<string, unknown>) => gql(url, LAUNCH_EVALUATION, { input });

/** Metrics of one benchmark as { name: { value, std } }. */
export function metricsOf(run: any, benchmark: string): Record<string, { value: number; std: number | null }> {
  return Object.fromEntries(
    run.metrics.filter((m: any) => m.benchmark?.name === benchmark).map((m: any) => [m.name, { value: m.value, std: m.std }]),
  );
}

// ---- face models ----------------------------------------------------------------------------

export type ModelKind = "single" | "unit+norm";

export interface FixtureModel {
  id: string;
  path: string;
  outputs: ModelKind;
  channelOrder: "RGB" | "BGR";
}

/** Writes a fixture embedding model and registers it (insightface-like RGB, AdaFace-like BGR + norm). */
export async function registerEmbeddingModel(
  url: string,
  dir: string,
  name: string,
  outputs: ModelKind,
  channelOrder: "RGB" | "BGR",
  trainedOnId: string | null = null,
  size = 112,
): Promise<FixtureModel> {
  await mkdir(dir, { recursive: true });
  const modelPath = path.join(dir, `${name}.onnx`);
  await writeFile(modelPath, buildEmbeddingModel({ size, outputs, dimension: 32, seed: outputs === "single" ? 11 : 23 }));
  const data = await gqlData(url, `mutation($input: RegisterFaceModelInput!) { registerFaceModel(input: $input) { id } }`, {
    input: { name, backbone: "fixture", head: outputs === "single" ? "ArcFace" : "AdaFace", modelPath, trainedOnId, inputSpec: embeddingModelSpec({ size, outputs, dimension: 32, channelOrder }) },
  });
  return { id: data.registerFaceModel.id, path: modelPath, outputs, channelOrder };
}

// ---- independent embedding ------------------------------------------------------------------

/** CHW tensor of 112x112 interleaved RGB, (p/255 - 0.5)/0.5, optionally mirrored and in BGR. */
function toTensor(rgb: Buffer, size: number, flip: boolean, bgr: boolean): Float32Array {
  const out = new Float32Array(3 * size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const from = (y * size + (flip ? size - 1 - x : x)) * 3;
      for (let c = 0; c < 3; c++) {
        const plane = bgr ? 2 - c : c;
        out[plane * size * size + y * size + x] = (rgb[from + c]! / 255 - 0.5) / 0.5;
      }
    }
  }
  return out;
}

/** Raw embeddings (original and flipped) of encoded 112x112 images, one image per session run. */
export async function embedIndependently(model: FixtureModel, encoded: Buffer[]) {
  const session = await ort.InferenceSession.create(model.path, { executionProviders: ["cpu"] });
  const size = 112;
  const rows: Float32Array[][] = [[], []];
  for (const bytes of encoded) {
    const rgb = await sharp(bytes).removeAlpha().raw().toBuffer();
    for (const [k, flip] of [false, true].entries()) {
      const input = new ort.Tensor("float32", toTensor(rgb, size, flip, model.channelOrder === "BGR"), [1, 3, size, size]);
      const out = await session.run({ input });
      const embedding = out.embedding!.data as Float32Array;
      const norm = model.outputs === "unit+norm" ? (out.norm!.data as Float32Array)[0]! : null;
      rows[k]!.push(norm === null ? Float32Array.from(embedding) : embedding.map((v) => v * norm));
    }
  }
  await session.release();
  const dim = rows[0]![0]!.length;
  const pack = (list: Float32Array[]) => {
    const out = new Float32Array(list.length * dim);
    list.forEach((row, i) => out.set(row, i * dim));
    return out;
  };
  return { original: pack(rows[0]!), flipped: pack(rows[1]!), dim };
}

// ---- benchmarks in the real formats ---------------------------------------------------------

export type { PairBenchmark } from "../../src/fixtures";

/**
 * `pairs` pairs (a multiple of 10 here: every fold gets both classes) from a DigiFace-layout set
 * of `identities` x 10 images (PNG and JPEG), written as insightface writes a .bin.
 */
export const writePairBenchmark = buildPairBenchmark;

export interface IjbFolder {
  dir: string;
  /** Encoded crops in name_5pts_score order. */
  crops: Buffer[];
  templates: Int32Array;
  medias: Int32Array;
  scores: Float32Array;
  t1: Int32Array;
  t2: Int32Array;
  labels: Uint8Array;
}

/**
 * An IJB-C-style folder: `identities` x 2 templates, each of 2 media with 1-2 pre-aligned crops,
 * every template pair listed once (genuine when the identities agree).
 */
export async function writeIjbFolder(dir: string, identities = 5): Promise<IjbFolder> {
  await mkdir(path.join(dir, "meta"), { recursive: true });
  await mkdir(path.join(dir, "images"), { recursive: true });
  const crops: Buffer[] = [];
  const faceLines: string[] = [];
  const pointLines: string[] = [];
  const templates: number[] = [];
  const medias: number[] = [];
  const scores: number[] = [];
  const owner = new Map<number, number>();
  let image = 0;
  let media = 100;
  for (let identity = 0; identity < identities; identity++) {
    for (let t = 0; t < 2; t++) {
      const template = 1 + identity * 2 + t;
      owner.set(template, identity);
      for (let m = 0; m < 2; m++, media++) {
        for (let k = 0; k < 1 + ((identity + t + m) % 2); k++, image++) {
          const name = `${image + 1}.png`;
          const png = await sharp(renderFace(identity, image, 112, 9), { raw: { width: 112, height: 112, channels: 3 } }).png().toBuffer();
          await writeFile(path.join(dir, "images", name), png);
          crops.push(png);
          const score = 0.5 + ((image * 37) % 50) / 100;
          faceLines.push(`${name} ${template} ${media}`);
          pointLines.push(`${name} 38.3 51.7 73.5 51.5 56.0 71.7 41.5 92.4 70.7 92.2 ${score}`);
          templates.push(template);
          medias.push(media);
          scores.push(score);
        }
      }
    }
  }
  const pairs: [number, number, number][] = [];
  const ids = [...owner.keys()];
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++) pairs.push([ids[i]!, ids[j]!, owner.get(ids[i]!) === owner.get(ids[j]!) ? 1 : 0]);
  }
  await writeFile(path.join(dir, "meta", "ijbc_face_tid_mid.txt"), faceLines.join("\n") + "\n");
  await writeFile(path.join(dir, "meta", "ijbc_name_5pts_score.txt"), pointLines.join("\n") + "\n");
  await writeFile(path.join(dir, "meta", "ijbc_template_pair_label.txt"), pairs.map((p) => p.join(" ")).join("\n") + "\n");
  return {
    dir,
    crops,
    templates: Int32Array.from(templates),
    medias: Int32Array.from(medias),
    scores: Float32Array.from(scores),
    t1: Int32Array.from(pairs, (p) => p[0]),
    t2: Int32Array.from(pairs, (p) => p[1]),
    labels: Uint8Array.from(pairs, (p) => p[2]),
  };
}
