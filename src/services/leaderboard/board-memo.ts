// Built leaderboards kept per request shape and leaderboard version (issue 16): a board
// answered from the maintained summaries is built once per version (every transaction
// that can change it bumps leaderboard_state), its pages are cut from the kept board, and
// when the version moved the builder gets the kept board to update (only the rows whose
// groups changed, see index.ts). Bounded by cells (rows x columns), least recently used
// first out; a board larger than one entry's bound is built per request.
import { LRUCache } from "lru-cache";

/** Cells (rows x (columns + average)) all kept boards may hold together, and one board. */
export const MEMO_MAX_CELLS = 400_000;
export const MEMO_MAX_ENTRY_CELLS = 100_000;

export interface Kept<T, V> {
  version: V;
  value: T;
}

interface Entry<T, V> {
  version: V;
  value: Promise<T>;
}

export interface BoardMemo<T, V extends { version: bigint }> {
  /**
   * The board kept for `key` at `version`; otherwise `build` makes it, given the board
   * last kept for `key` (at an older version) when there is one.
   */
  get(key: string, version: V, build: (previous: Kept<T, V> | null) => Promise<T>): Promise<T>;
}

export function createBoardMemo<T, V extends { version: bigint }>(cellsOf: (value: T) => number): BoardMemo<T, V> {
  const kept = new LRUCache<string, Entry<T, V>>({
    maxSize: MEMO_MAX_CELLS,
    maxEntrySize: MEMO_MAX_ENTRY_CELLS,
    // A board still building counts as one cell; its real size is set once built.
    sizeCalculation: () => 1,
  });
  return {
    async get(key, version, build) {
      const hit = kept.get(key);
      if (hit && hit.version.version === version.version) return hit.value;
      // An older reader (its version read before a newer one's) builds for itself only.
      if (hit && hit.version.version > version.version) return build(null);
      const value = (async () => {
        const previous = hit ? await hit.value.then((v) => ({ version: hit.version, value: v }), () => null) : null;
        return build(previous);
      })();
      const entry: Entry<T, V> = { version, value };
      kept.set(key, entry);
      value.then(
        (built) => {
          if (kept.peek(key) === entry) kept.set(key, entry, { size: Math.max(1, cellsOf(built)) });
        },
        () => {
          if (kept.peek(key) === entry) kept.delete(key);
        },
      );
      return value;
    },
  };
}
