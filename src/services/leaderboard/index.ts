// The leaderboard service: the table (aggregated in SQL by the leaderboard store,
// shaped by the rules in rows.ts), its exports, run comparison, Table 1 timings,
// and the scope test behind leaderboardChanged.
import type { Stores } from "../../db/stores";
import { byFirstRun, type LeaderboardGroupRow, type LeaderboardQuery, type LeaderboardScope, type LeaderboardVersion } from "../../db/stores/leaderboard-store";
import { createBoardMemo, type Kept } from "./board-memo";
import { createRunComparison, createRunGroupComparison } from "./compare-runs";
import { exportLeaderboard } from "./export";
import { resolveLeaderboardInput, type ResolvedLeaderboard } from "./input";
import { createQualityCorrelations } from "./quality-correlations";
import { pageRows } from "./paging";
import { applyAverageSpread, buildLeaderboard, createRowKeys } from "./rows";
import { createTransferTimings } from "./timings";
import type { ExportFormat, Leaderboard, LeaderboardFilterInput, LeaderboardInput, LeaderboardOptions } from "./types";

/** A board built from the store's groups (kept in the store's order), each row's group by key. */
interface BuiltBoard {
  groups: LeaderboardGroupRow[];
  board: Leaderboard;
  groupOf: Map<string, LeaderboardGroupRow>;
}

/** A leaderboard version as one string (groups and names: both move what a board shows). */
function versionKey(version: LeaderboardVersion): string {
  return `${version.version}:${version.fullVersion}`;
}

/** Config keys changed since a kept board's version above which the whole board is rebuilt. */
const MAX_CHANGED_KEYS = 200;

export function createLeaderboardService(stores: Stores) {
  const rowKeyOf = createRowKeys();
  const memo = createBoardMemo<BuiltBoard, LeaderboardVersion>(({ board }) => board.rows.length * (board.columns.length + 1));

  /** The whole board from its groups: best per column, labels and the order need every row. */
  function assemble(groups: LeaderboardGroupRow[], resolved: ResolvedLeaderboard): BuiltBoard {
    const keys = groups.map(rowKeyOf);
    return { groups, board: buildLeaderboard(groups, resolved, keys), groupOf: new Map(groups.map((g, i) => [keys[i]!, g])) };
  }

  /**
   * A kept board brought up to `version`: when only groups changed (no names, lineage or
   * archives of datasets and methods) and few, the rows of their config keys are read
   * again and the board reassembled from the kept rows and those; else the whole board.
   */
  async function updateBoard(resolved: ResolvedLeaderboard, query: LeaderboardQuery, version: LeaderboardVersion, previous: Kept<BuiltBoard, LeaderboardVersion> | null): Promise<BuiltBoard> {
    const since = previous?.version;
    if (previous && since && since.fullVersion === version.fullVersion && since.version >= version.goneKeptFrom) {
      const changed = await stores.leaderboard.changedConfigKeys(since.version, MAX_CHANGED_KEYS);
      if (changed) {
        const fresh = changed.length ? await stores.leaderboard.leaderboard({ ...query, onlyConfigKeys: changed }) : [];
        const gone = new Set(changed);
        const kept = previous.value.groups.filter((g) => g.configKey === null || !gone.has(g.configKey));
        return assemble([...kept, ...fresh].sort(byFirstRun), resolved);
      }
    }
    return assemble(await stores.leaderboard.leaderboard(query), resolved);
  }

  /**
   * A board answered from the maintained summaries is kept per version (board-memo.ts) and
   * its pages cut from it; the average's spread is read for the rows returned only (the
   * page and the baseline), once per kept row.
   */
  async function leaderboard(input: LeaderboardInput = {}, options: LeaderboardOptions = {}): Promise<Leaderboard> {
    const resolved = await resolveLeaderboardInput(stores, input);
    const query = { ...resolved.query, withRuns: options.withRuns ?? true };
    let built: BuiltBoard;
    let keptVersion: string | undefined;
    if (stores.leaderboard.answersFromSummaries(query)) {
      const version = await stores.leaderboard.version();
      built = await memo.get(JSON.stringify(resolved), version, (previous) => updateBoard(resolved, query, version, previous));
      keptVersion = versionKey(version);
    } else {
      built = assemble(await stores.leaderboard.leaderboard(query), resolved);
    }
    const { board, groupOf } = built;
    const page = options.page ? pageRows(board.rows, options.page) : { rows: board.rows, pageInfo: board.pageInfo };
    const shown = board.baseline && !page.rows.includes(board.baseline) ? [...page.rows, board.baseline] : page.rows;
    const pending = shown.filter((row) => groupOf.get(row.key)?.pendingSpread);
    if (pending.length > 0) {
      const groups = pending.map((row) => groupOf.get(row.key)!);
      await stores.leaderboard.averageSpreads(resolved.query.columns, groups);
      pending.forEach((row, i) => applyAverageSpread(row, groups[i]!, resolved.std));
    }
    return { ...board, ...page, ...(keptVersion ? { keptVersion } : {}) };
  }

  const compareRuns = createRunComparison(stores);

  return {
    leaderboard,

    /** The leaderboard version now, as Leaderboard.keptVersion gives it. */
    currentVersion: async () => versionKey(await stores.leaderboard.version()),

    async export(format: ExportFormat, input: LeaderboardInput = {}) {
      return exportLeaderboard(await leaderboard(input, { withRuns: false }), format);
    },

    /** A validated filter, for testing runs against it (leaderboardChanged). */
    async scopeOf(filter: LeaderboardFilterInput | null | undefined): Promise<LeaderboardScope> {
      return (await resolveLeaderboardInput(stores, { filter: filter ?? null })).query.scope;
    },

    /** Whether a run counts on a leaderboard with this scope. */
    runInScope: (runId: string, scope: LeaderboardScope) => stores.leaderboard.runInScope(runId, scope),

    compareRuns,
    compareRunGroup: createRunGroupComparison(stores, compareRuns),
    transferMethodTimings: createTransferTimings(stores),
    qualityCorrelations: createQualityCorrelations(stores, leaderboard),
  };
}

export type LeaderboardService = ReturnType<typeof createLeaderboardService>;
export type * from "./types";
