import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { imageFormatOf, type ImageFormat } from "./image-format";

/** One image of a dataset laid out as `identity/file` (identity "" for images at the root). */
export interface DatasetImage {
  identity: string;
  file: string;
  /** `identity/file`, with "/" whatever the platform: the key for outputs, noise and logs. */
  relativePath: string;
  absolutePath: string;
  format: ImageFormat;
}

// Plain code-unit order: stable across machines and locales (10.png sorts before 2.png).
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const isHidden = (name: string) => name.startsWith(".");

async function isDirectory(root: string, entry: Dirent): Promise<boolean> {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  return (await stat(join(root, entry.name)).catch(() => null))?.isDirectory() ?? false;
}

async function sortedImageFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return names.filter((name) => !isHidden(name) && imageFormatOf(name) !== null).sort(byName);
}

function toImage(rootDir: string, identity: string, file: string): DatasetImage {
  return {
    identity,
    file,
    relativePath: identity ? `${identity}/${file}` : file,
    absolutePath: identity ? join(rootDir, identity, file) : join(rootDir, file),
    format: imageFormatOf(file)!,
  };
}

/**
 * Streams the images of a dataset folder in a stable order: root-level images first, then each
 * identity folder (sorted) with its files sorted. Only one folder's listing is held at a time.
 */
export async function* walkImages(rootDir: string): AsyncGenerator<DatasetImage> {
  const entries = (await readdir(rootDir, { withFileTypes: true })).filter((e) => !isHidden(e.name));
  entries.sort((a, b) => byName(a.name, b.name));
  const identities: string[] = [];
  for (const entry of entries) {
    if (await isDirectory(rootDir, entry)) identities.push(entry.name);
    else if (imageFormatOf(entry.name)) yield toImage(rootDir, "", entry.name);
  }
  entries.length = 0;
  for (const identity of identities) {
    for (const file of await sortedImageFiles(join(rootDir, identity))) {
      yield toImage(rootDir, identity, file);
    }
  }
}

/** The first `limit` images of a stream (all of them when limit is undefined). */
export async function* takeImages(
  images: AsyncIterable<DatasetImage>,
  limit: number | undefined,
): AsyncGenerator<DatasetImage> {
  if (limit === undefined) return yield* images;
  if (limit <= 0) return;
  let taken = 0;
  for await (const image of images) {
    yield image;
    if (++taken >= limit) return;
  }
}

/** Counts images cheaply (names only, nothing decoded), stopping at limit. */
export async function countImages(rootDir: string, limit?: number): Promise<number> {
  let count = 0;
  for await (const _ of takeImages(walkImages(rootDir), limit)) count++;
  return count;
}
