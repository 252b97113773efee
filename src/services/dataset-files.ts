// Image files of registered datasets, for the dashboard's qualitative view (source vs
// transferred images). Only files of a registered dataset are reachable: the relative
// path is resolved against the dataset's folder and, after symlinks, must stay inside
// that folder and inside the configured data roots; only .png/.jpg/.jpeg are served.
import type { Dirent } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { AppError, notFound } from "../errors";
import type { CatalogueService } from "./catalogue-service";
import type { DataPaths } from "./data-paths";
import { createImageIndexCache, MAX_INDEXED_IMAGES } from "./image-index";

export const IMAGE_TYPES: Readonly<Record<string, string>> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
};

/** Identity folders nest at most this deep under a dataset folder (DigiFace1M: 1). */
const MAX_DEPTH = 3;
export const MAX_LIST = 500;
/** Pages ending within this many names are listed by a walk that stops there; deeper ones come from the index. */
const WALKED_PREFIX = 1_000;

export interface DatasetImagePage {
  dataset: { id: string; name: string };
  offset: number;
  /** Relative paths with "/" separators, in sorted identity/file order. */
  images: string[];
  hasMore: boolean;
}

export interface ResolvedImage {
  file: string;
  contentType: string;
}

const isImage = (name: string) => Object.hasOwn(IMAGE_TYPES, path.extname(name).toLowerCase());
const inside = (root: string, real: string) => real === root || real.startsWith(root + path.sep);
const byName = (a: Dirent, b: Dirent) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Splits a request's relative path, refusing anything but plain names. */
function segments(relative: string): string[] {
  const parts = relative.split("/");
  const bad = parts.some((p) => p === "" || p === "." || p === ".." || p.includes("\\") || p.includes("\0"));
  if (bad || parts.length > MAX_DEPTH + 1) throw new AppError("BAD_USER_INPUT", "not a file of this dataset", "path");
  return parts;
}

/**
 * Image paths under `folder` in sorted identity/file order, stopping at `want` names: a
 * sorted depth-first walk (datasets hold millions of images). Symlinked folders are not
 * followed; a symlinked image is listed only when it would be served (resolveImage's rule).
 */
async function walkImages(folder: string, want: number): Promise<string[]> {
  const found: string[] = [];
  const servable = async (file: string) => {
    const real = await realpath(file).catch(() => null);
    return real != null && inside(folder, real) && isImage(real) && ((await stat(real).catch(() => null))?.isFile() ?? false);
  };
  async function walk(dir: string, prefix: string[], depth: number): Promise<void> {
    const entries = (await readdir(dir, { withFileTypes: true }).catch(() => [] as Dirent[])).sort(byName);
    for (const entry of entries) {
      if (found.length >= want) return;
      if (entry.name.startsWith(".")) continue;
      if (entry.isDirectory() && depth < MAX_DEPTH) await walk(path.join(dir, entry.name), [...prefix, entry.name], depth + 1);
      else if (entry.isFile() && isImage(entry.name)) found.push([...prefix, entry.name].join("/"));
      else if (entry.isSymbolicLink() && isImage(entry.name) && (await servable(path.join(dir, entry.name)))) found.push([...prefix, entry.name].join("/"));
    }
  }
  await walk(folder, [], 0);
  return found;
}

export function createDatasetFiles(catalogue: CatalogueService, dataPaths: DataPaths) {
  const index = createImageIndexCache();
  /** The dataset's folder, resolved through symlinks and checked against the data roots. */
  async function datasetFolder(id: string) {
    // A key that is no uuid names no dataset (the store answers null without a query).
    const dataset = await catalogue.datasetByIdOrName(id, null);
    if (!dataset) throw notFound("dataset", id);
    if (!dataset.uri) throw new AppError("NOT_FOUND", `dataset ${dataset.name} has no folder`);
    const folder = await dataPaths.resolveExisting("dataset", dataset.uri, "directory").catch(() => {
      throw new AppError("NOT_FOUND", `dataset ${dataset.name}'s folder is not readable here`);
    });
    return { dataset, folder };
  }

  return {
    async listImages(id: string, offset = 0, limit = 48): Promise<DatasetImagePage> {
      const { dataset, folder } = await datasetFolder(id);
      const start = Math.max(0, offset);
      const end = start + Math.min(Math.max(1, limit), MAX_LIST);
      const page = (images: string[], hasMore: boolean) => ({ dataset: { id: dataset.id, name: dataset.name }, offset: start, images, hasMore });
      if (end + 1 <= WALKED_PREFIX) {
        // One more name than the page tells whether another page follows.
        const found = await walkImages(folder, end + 1);
        return page(found.slice(start, end), found.length > end);
      }
      const listing = await index.get(folder, () => walkImages(folder, MAX_INDEXED_IMAGES));
      return page(listing.slice(start, end), listing.count > end);
    },

    /** The real path of one image of a dataset, or NOT_FOUND / BAD_USER_INPUT. */
    async resolveImage(id: string, relative: string): Promise<ResolvedImage> {
      const parts = segments(relative);
      if (!isImage(parts[parts.length - 1]!)) throw new AppError("BAD_USER_INPUT", "only .png, .jpg and .jpeg files are served", "path");
      const { folder } = await datasetFolder(id);
      const real = await realpath(path.join(folder, ...parts)).catch(() => null);
      const missing = () => new AppError("NOT_FOUND", "no such image in this dataset");
      if (!real || !inside(folder, real) || !isImage(real)) throw missing();
      const roots = await Promise.all(dataPaths.roots.map((root) => realpath(root).catch(() => path.resolve(root))));
      if (!roots.some((root) => inside(root, real))) throw missing();
      const info = await stat(real).catch(() => null);
      if (!info?.isFile()) throw missing();
      return { file: real, contentType: IMAGE_TYPES[path.extname(real).toLowerCase()]! };
    },
  };
}

export type DatasetFiles = ReturnType<typeof createDatasetFiles>;
