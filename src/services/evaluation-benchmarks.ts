// Launch-time checks of an evaluation's benchmark inputs: the benchmark is known, its data (the
// Benchmark's dataUri or a dataPath override) lies inside the data roots in the layout its
// protocol needs, precomputed features fit it, and its size is the protocol's (unless
// allowNonStandardSize). Every error names the input field. The result is stored in Run.params.
import path from "node:path";
import type { CatalogueStore } from "../db/stores/catalogue-store";
import type { Benchmark } from "../generated/prisma/client";
import { badInput } from "../errors";
import {
  checkBenchmarkSize,
  countNonBlankLines,
  IJB_IMAGE_FOLDER,
  IJB_LOOSE_CROP_FOLDER,
  ijbMetaRelative,
  readIssame,
  type EvaluateBenchmarkParams,
  type EvaluationMode,
  type FeatureFiles,
} from "../runners/evaluate";
import type { DataPaths } from "./data-paths";
import { probeFile } from "./file-probe";

export interface EvaluationBenchmarkInput {
  name: string;
  dataPath?: string | null;
  features?: { original: string; flipped?: string | null; issame?: string | null } | null;
}

interface Checks {
  mode: EvaluationMode;
  allowNonStandardSize: boolean;
  catalogue: CatalogueStore;
  paths: DataPaths;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function sizeCheck(field: string, name: string, pairs: number, checks: Checks): void {
  try {
    checkBenchmarkSize(name, pairs, { allowNonStandardSize: checks.allowNonStandardSize });
  } catch (error) {
    throw badInput(field, messageOf(error));
  }
}

/** The benchmark's data: the dataPath override, else its registered dataUri. */
async function location(field: string, input: EvaluationBenchmarkInput, row: Benchmark, type: "file" | "directory", checks: Checks) {
  const value = input.dataPath ?? row.dataUri;
  if (!value) {
    const what = type === "file" ? "an insightface .bin file" : "an IJB folder (meta/ and images/)";
    throw badInput(field, `benchmark ${row.name} has no registered data (dataUri); give dataPath: ${what}`);
  }
  return checks.paths.resolveExisting(field, value, type);
}

async function readBinIssame(field: string, file: string, name: string): Promise<boolean[]> {
  try {
    return await probeFile("binIssame", file);
  } catch (error) {
    throw badInput(field, `benchmark ${name}: ${messageOf(error)}`);
  }
}

/** Resolves feature files and checks their shape: `rows` rows (one per image) of the same width. */
async function featureFiles(field: string, features: NonNullable<EvaluationBenchmarkInput["features"]>, rows: number, what: string, checks: Checks) {
  const shapeOf = async (f: string, file: string) => {
    const shape = await probeFile("npyShape", file).catch((error) => {
      throw badInput(f, messageOf(error));
    });
    if (shape.length !== 2 || shape[0] !== rows || !(shape[1]! > 0)) {
      throw badInput(f, `shape (${shape.join(", ")}) does not fit: expected (${rows}, dim), one row per image (${what})`);
    }
    return shape;
  };
  const original = await checks.paths.resolveExisting(`${field}.original`, features.original, "file");
  const shape = await shapeOf(`${field}.original`, original);
  let flipped: string | null = null;
  if (features.flipped) {
    flipped = await checks.paths.resolveExisting(`${field}.flipped`, features.flipped, "file");
    const flippedShape = await shapeOf(`${field}.flipped`, flipped);
    if (flippedShape[1] !== shape[1]) throw badInput(`${field}.flipped`, `has ${flippedShape[1]} values per image, the originals ${shape[1]}`);
  }
  return { original, flipped };
}

async function pairBenchmark(f: string, input: EvaluationBenchmarkInput, row: Benchmark, checks: Checks): Promise<EvaluateBenchmarkParams> {
  const issameFile = input.features?.issame
    ? await checks.paths.resolveExisting(`${f}.features.issame`, input.features.issame, "file")
    : null;
  // Labels come from the issame file when given, else from the .bin's issame_list.
  const dataPath = issameFile && !input.dataPath ? null : await location(`${f}.dataPath`, input, row, "file", checks);
  let issame: boolean[];
  if (issameFile) {
    issame = await readIssame(issameFile).catch((error) => {
      throw badInput(`${f}.features.issame`, messageOf(error));
    });
  } else {
    issame = await readBinIssame(`${f}.dataPath`, dataPath!, row.name);
  }
  sizeCheck(issameFile ? `${f}.features.issame` : `${f}.dataPath`, row.name, issame.length, checks);
  let features: FeatureFiles | null = null;
  if (input.features) {
    const files = await featureFiles(`${f}.features`, input.features, 2 * issame.length, `${row.name} has ${issame.length} pairs of 2 images`, checks);
    features = { ...files, issame: issameFile };
  }
  return { benchmarkId: row.id, name: row.name, protocol: "PAIRS_10FOLD", dataPath, imageDir: null, pairs: issame.length, features };
}

async function ijbBenchmark(f: string, input: EvaluationBenchmarkInput, row: Benchmark, checks: Checks): Promise<EvaluateBenchmarkParams> {
  if (input.features?.issame) throw badInput(`${f}.features.issame`, `${row.name} takes its labels from meta/; issame is for pair benchmarks`);
  const dir = await location(`${f}.dataPath`, input, row, "directory", checks);
  const meta = ijbMetaRelative();
  const metaFile = (rel: string) => checks.paths.resolveExisting(`${f}.dataPath`, path.join(dir, rel), "file");
  const [, name5pts, pairFile] = await Promise.all([metaFile(meta.faceTidMid), metaFile(meta.name5ptsScore), metaFile(meta.templatePairs)]);
  const pairs = await countNonBlankLines(pairFile);
  sizeCheck(`${f}.dataPath`, row.name, pairs, checks);
  let imageDir: string | null = null;
  let features: FeatureFiles | null = null;
  if (input.features) {
    const images = await countNonBlankLines(name5pts);
    features = { ...(await featureFiles(`${f}.features`, input.features, images, `${row.name} lists ${images} images in ${meta.name5ptsScore}`, checks)), issame: null };
  } else {
    imageDir = await checks.paths.resolveExisting(`${f}.dataPath`, path.join(dir, IJB_IMAGE_FOLDER), "directory").catch(async (error) => {
      const loose = await checks.paths.resolveExisting(`${f}.dataPath`, path.join(dir, IJB_LOOSE_CROP_FOLDER), "directory").catch(() => null);
      if (!loose) throw error;
      throw badInput(
        `${f}.dataPath`,
        `${dir} has ${IJB_LOOSE_CROP_FOLDER}/ (unaligned crops) but no ${IJB_IMAGE_FOLDER}/: 5-point alignment is not supported yet; ` +
          `put pre-aligned 112x112 crops, named as in the meta files, in ${IJB_IMAGE_FOLDER}/`,
      );
    });
  }
  return { benchmarkId: row.id, name: row.name, protocol: "IJB_TEMPLATE_1TO1", dataPath: dir, imageDir, pairs, features };
}

export async function resolveEvaluationBenchmarks(inputs: EvaluationBenchmarkInput[], checks: Checks): Promise<EvaluateBenchmarkParams[]> {
  if (inputs.length === 0) throw badInput("benchmarks", "give at least one benchmark");
  const names = inputs.map((b) => b.name.trim());
  const rows = new Map((await checks.catalogue.benchmarksByNames(names)).map((b) => [b.name, b]));
  const resolved: EvaluateBenchmarkParams[] = [];
  for (const [i, input] of inputs.entries()) {
    const f = `benchmarks[${i}]`;
    const row = rows.get(names[i]!);
    if (!row) {
      const known = (await checks.catalogue.listBenchmarks()).map((b) => b.name).join(", ");
      throw badInput(`${f}.name`, `unknown benchmark ${JSON.stringify(names[i])} (known: ${known})`);
    }
    if (names.indexOf(names[i]!) !== i) throw badInput(`${f}.name`, `benchmark ${row.name} is listed twice`);
    if (checks.mode === "model" && input.features) {
      throw badInput(`${f}.features`, "precomputed features are evaluated without faceModelIds; leave one of them out");
    }
    if (checks.mode === "features" && !input.features) {
      throw badInput(`${f}.features`, "required when no faceModelIds are given (the .npy features to evaluate)");
    }
    resolved.push(row.protocol === "PAIRS_10FOLD" ? await pairBenchmark(f, input, row, checks) : await ijbBenchmark(f, input, row, checks));
  }
  return resolved;
}
