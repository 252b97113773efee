// Built leaderboards kept per request shape and leaderboard version (issue 16): a board
// answered from the maintained summaries is built once per version (every write that can
// change it bumps leaderboard_state in its own transaction), and its pages are then cut
// from the built rows. Bounded by cells (rows x columns), least recently used first out;
// a board larger than one entry's bound is built per request, as before.
import { LRUCache } from "lru-cache";

/** Cells (rows x (columns + average)) all kept boards may hold together, and one board. */
export const MEMO_MAX_CELLS = 400_000;
export const MEMO_MAX_ENTRY_CELLS = 100_000;

interface Entry<T> {
  version: bigint;
  value: Promise<T>;
}

export interface BoardMemo<T> {
  /** The board built at `version` for `key`, building it when none is kept. */
  get(key: string, version: bigint, build: () => Promise<T>): Promise<T>;
}

export function createBoardMemo<T>(cellsOf: (value: T) => number): BoardMemo<T> {
  const kept = new LRUCache<string, Entry<T>>({
    maxSize: MEMO_MAX_CELLS,
    maxEntrySize: MEMO_MAX_ENTRY_CELLS,
    // A board still building counts as one cell; its real size is set once built.
    sizeCalculation: () => 1,
  });
  return {
    get(key, version, build) {
      const hit = kept.get(key);
      if (hit && hit.version === version) return hit.value;
      const value = build();
      // An older reader (version read before a newer one's) never replaces a newer board.
      if (!hit || hit.version < version) {
        const entry: Entry<T> = { version, value };
        kept.set(key, entry);
        value.then(
          (built) => {
            if (kept.peek(key) === entry) kept.set(key, entry, { size: Math.max(1, cellsOf(built)) });
          },
          () => {
            if (kept.peek(key) === entry) kept.delete(key);
          },
        );
      }
      return value;
    },
  };
}
