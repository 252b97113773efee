// Sorted image listings of dataset folders, built once and paged from memory. Without it,
// every page past the first walked the dataset from its start (a request for offset 10^9
// walked all of DigiFace1M's 1.2M files, every time). Built once per folder (concurrent
// requests share one build), kept IMAGE_INDEX_TTL_MS, at most IMAGE_INDEX_ENTRIES folders,
// each compact: one string of names and their offsets.

export const IMAGE_INDEX_TTL_MS = 5 * 60_000;
export const IMAGE_INDEX_ENTRIES = 8;
/** Listings stop here (2M names take roughly 40 MB); deeper pages are empty. */
export const MAX_INDEXED_IMAGES = 2_000_000;

export interface ImageIndex {
  count: number;
  slice(start: number, end: number): string[];
}

function compact(names: string[]): ImageIndex {
  const starts = new Uint32Array(names.length + 1);
  let at = 0;
  names.forEach((name, i) => {
    starts[i] = at;
    at += name.length;
  });
  starts[names.length] = at;
  const text = names.join("");
  return {
    count: names.length,
    slice(start, end) {
      const out: string[] = [];
      for (let i = Math.max(0, start); i < Math.min(end, names.length); i++) out.push(text.slice(starts[i], starts[i + 1]));
      return out;
    },
  };
}

export function createImageIndexCache(now: () => number = Date.now) {
  const entries = new Map<string, { builtAt: number; index: Promise<ImageIndex> }>();
  return {
    /** The folder's index, from the cache or built by `list` (sorted names, at most MAX_INDEXED_IMAGES). */
    get(folder: string, list: () => Promise<string[]>): Promise<ImageIndex> {
      const cached = entries.get(folder);
      if (cached && now() - cached.builtAt < IMAGE_INDEX_TTL_MS) {
        entries.delete(folder); // most recently used last
        entries.set(folder, cached);
        return cached.index;
      }
      const index = list().then(compact);
      index.catch(() => entries.delete(folder));
      entries.delete(folder);
      entries.set(folder, { builtAt: now(), index });
      while (entries.size > IMAGE_INDEX_ENTRIES) entries.delete(entries.keys().next().value!);
      return index;
    },
  };
}
