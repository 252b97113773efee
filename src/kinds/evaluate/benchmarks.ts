// Launch-time checks of an evaluation's benchmark inputs: the benchmark is known, its data (the
// Benchmark's dataUri or a dataPath override) lies inside the data roots in the layout its
// protocol needs (IJB: the folder holding meta/ or the release root above it, and the crops the
// alignment asks for), precomputed features fit it, and its size is the protocol's (unless
// allowNonStandardSize). Every error names the input field. The result is stored in Run.params.
import path from "node:path";
import type { CatalogueStore } from "../../db/stores/catalogue-store";
import type { Benchmark } from "../../generated/prisma/client";
import { badInput } from "../../errors";
import {
  checkBenchmarkSize,
  countNonBlankLines,
  IJB_IMAGE_FOLDER,
  IJB_LOOSE_CROP_FOLDER,
  ijbMetaRelative,
  ijbRelease,
  type IjbAlignment,
  type IjbAlignmentOption,
  readIssame,
  type EvaluateBenchmarkParams,
  type EvaluationMode,
  type FeatureFiles,
} from "../../runners/evaluate";
import type { DataPaths } from "../../services/data-paths";
import { probeFile } from "../../services/file-probe";

export interface EvaluationBenchmarkInput {
  name: string;
  dataPath?: string | null;
  features?: { original: string; flipped?: string | null; issame?: string | null } | null;
}

interface Checks {
  mode: EvaluationMode;
  /** IJB in model mode: how to bring the crops to the model (default AUTO). */
  alignment?: IjbAlignmentOption;
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
    const what = type === "file" ? "an insightface .bin file" : "an IJB folder (meta/ with loose_crop/ or images/, or the release's root)";
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

/** Does `dir` hold the benchmark's meta files (the face list is enough to decide)? */
async function holdsMeta(dir: string, prefix: string, checks: Checks): Promise<boolean> {
  const file = path.join(dir, ijbMetaRelative(prefix).faceTidMid);
  return checks.paths.resolveExisting("", file, "file").then(() => true, () => false);
}

/** The folder holding meta/: the one given, or its IJBC/ (IJBB/) subfolder (the release root). */
async function ijbFolder(field: string, dir: string, name: string, checks: Checks): Promise<{ dir: string; prefix: string }> {
  const release = ijbRelease(name);
  if (await holdsMeta(dir, release.prefix, checks)) return { dir, prefix: release.prefix };
  const inner = path.join(dir, release.folder);
  if (await holdsMeta(inner, release.prefix, checks)) return { dir: await checks.paths.resolveExisting(field, inner, "directory"), prefix: release.prefix };
  const rel = ijbMetaRelative(release.prefix).faceTidMid;
  throw badInput(field, `${dir} has neither ${rel} nor ${path.join(release.folder, rel)} (${name}'s meta files, insightface's release layout)`);
}

/** The crops folder and how they are aligned, for the requested alignment. */
async function ijbImages(field: string, dir: string, requested: IjbAlignmentOption, checks: Checks): Promise<{ imageDir: string; alignment: IjbAlignment }> {
  const folder = (name: string) => checks.paths.resolveExisting(field, path.join(dir, name), "directory").catch(() => null);
  const [images, loose] = await Promise.all([folder(IJB_IMAGE_FOLDER), folder(IJB_LOOSE_CROP_FOLDER)]);
  if (requested === "PREALIGNED" || (requested === "AUTO" && images)) {
    if (images) return { imageDir: images, alignment: "PREALIGNED" };
    throw badInput(
      field,
      `${dir} has no ${IJB_IMAGE_FOLDER}/ of pre-aligned 112x112 crops` +
        (loose ? `; its ${IJB_LOOSE_CROP_FOLDER}/ holds loose crops: use alignment LANDMARKS (or AUTO)` : ""),
    );
  }
  const crops = loose ?? (requested === "LANDMARKS" ? images : null);
  if (crops) return { imageDir: crops, alignment: "LANDMARKS" };
  throw badInput(field, `${dir} has neither ${IJB_IMAGE_FOLDER}/ (pre-aligned crops) nor ${IJB_LOOSE_CROP_FOLDER}/ (loose crops to align from their landmarks)`);
}

async function ijbBenchmark(f: string, input: EvaluationBenchmarkInput, row: Benchmark, checks: Checks): Promise<EvaluateBenchmarkParams> {
  if (input.features?.issame) throw badInput(`${f}.features.issame`, `${row.name} takes its labels from meta/; issame is for pair benchmarks`);
  const given = await location(`${f}.dataPath`, input, row, "directory", checks);
  const { dir, prefix } = await ijbFolder(`${f}.dataPath`, given, row.name, checks);
  const meta = ijbMetaRelative(prefix);
  const metaFile = (rel: string) => checks.paths.resolveExisting(`${f}.dataPath`, path.join(dir, rel), "file");
  const [, name5pts, pairFile] = await Promise.all([metaFile(meta.faceTidMid), metaFile(meta.name5ptsScore), metaFile(meta.templatePairs)]);
  const pairs = await countNonBlankLines(pairFile);
  sizeCheck(`${f}.dataPath`, row.name, pairs, checks);
  let images: { imageDir: string | null; alignment: IjbAlignment | null } = { imageDir: null, alignment: null };
  let features: FeatureFiles | null = null;
  if (input.features) {
    const count = await countNonBlankLines(name5pts);
    features = { ...(await featureFiles(`${f}.features`, input.features, count, `${row.name} lists ${count} images in ${meta.name5ptsScore}`, checks)), issame: null };
  } else {
    images = await ijbImages(`${f}.dataPath`, dir, checks.alignment ?? "AUTO", checks);
  }
  return { benchmarkId: row.id, name: row.name, protocol: "IJB_TEMPLATE_1TO1", dataPath: dir, ...images, ijbPrefix: prefix, pairs, features };
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
