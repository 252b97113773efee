// The IJB-C folder we read: insightface's meta files under `meta/`, and pre-aligned 112x112 crops
// (named as in the meta files) under `images/`. insightface's `loose_crop/` holds unaligned crops
// that need the 5-point alignment, which is not implemented: such a folder is refused at launch.
import path from "node:path";

export const IJB_IMAGE_FOLDER = "images";
export const IJB_LOOSE_CROP_FOLDER = "loose_crop";

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
