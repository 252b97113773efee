// The IJB folders we read. insightface's release layout: `IJBC/meta/ijbc_*.txt` and the loose
// face crops in `IJBC/loose_crop/` (IJB-B: `IJBB/meta/ijbb_*.txt`, `IJBB/loose_crop/`), which are
// aligned from their 5 landmarks; or pre-aligned 112x112 crops, named as in the meta files, in
// `images/`. A benchmark's folder is the one holding `meta/`, or its parent (the release root).
import path from "node:path";

export const IJB_IMAGE_FOLDER = "images";
export const IJB_LOOSE_CROP_FOLDER = "loose_crop";

/** LANDMARKS: align loose crops from their 5 landmarks; PREALIGNED: crops are aligned already. */
export type IjbAlignment = "LANDMARKS" | "PREALIGNED";
/** AUTO: PREALIGNED when `images/` exists, else LANDMARKS on `loose_crop/`. */
export type IjbAlignmentOption = IjbAlignment | "AUTO";
export const IJB_ALIGNMENT_OPTIONS: readonly IjbAlignmentOption[] = ["LANDMARKS", "PREALIGNED", "AUTO"];

export interface IjbRelease {
  /** Meta file prefix: `ijbc` for IJB-C, `ijbb` for IJB-B. */
  prefix: string;
  /** The release's folder for it: `IJBC`, `IJBB`. */
  folder: string;
}

/** IJB-B reads ijbb_* files under IJBB/; any other IJB benchmark the IJB-C names. */
export function ijbRelease(benchmarkName: string): IjbRelease {
  const key = benchmarkName.toLowerCase().replace(/[^a-z]/g, "");
  return key === "ijbb" ? { prefix: "ijbb", folder: "IJBB" } : { prefix: "ijbc", folder: "IJBC" };
}

export interface IjbMetaFiles {
  faceTidMid: string;
  name5ptsScore: string;
  templatePairs: string;
}

/** Relative paths of the three meta files, e.g. `meta/ijbc_face_tid_mid.txt`. */
export function ijbMetaRelative(prefix = "ijbc"): IjbMetaFiles {
  return {
    faceTidMid: path.join("meta", `${prefix}_face_tid_mid.txt`),
    name5ptsScore: path.join("meta", `${prefix}_name_5pts_score.txt`),
    templatePairs: path.join("meta", `${prefix}_template_pair_label.txt`),
  };
}

export function ijbMetaFiles(dir: string, prefix = "ijbc"): IjbMetaFiles {
  const rel = ijbMetaRelative(prefix);
  return {
    faceTidMid: path.join(dir, rel.faceTidMid),
    name5ptsScore: path.join(dir, rel.name5ptsScore),
    templatePairs: path.join(dir, rel.templatePairs),
  };
}

/** The crop of one meta image name; refuses names that leave the image folder. */
export function ijbImagePath(imageDir: string, name: string): string {
  const resolved = path.resolve(imageDir, name);
  if (!resolved.startsWith(path.resolve(imageDir) + path.sep)) {
    throw new Error(`IJB meta names image ${JSON.stringify(name)}, which is outside ${imageDir}`);
  }
  return resolved;
}
