// The leaderboard service: the table (aggregated in SQL by the leaderboard store,
// shaped by the rules in rows.ts), its exports, run comparison, Table 1 timings,
// and the scope test behind leaderboardChanged.
import type { Stores } from "../../db/stores";
import type { LeaderboardGroupRow, LeaderboardQuery, LeaderboardScope } from "../../db/stores/leaderboard-store";
import { createBoardMemo } from "./board-memo";
import { createRunComparison, createRunGroupComparison } from "./compare-runs";
import { exportLeaderboard } from "./export";
import { resolveLeaderboardInput, type ResolvedLeaderboard } from "./input";
import { createQualityCorrelations } from "./quality-correlations";
import { pageRows } from "./paging";
import { applyAverageSpread, buildLeaderboard, createRowKeys } from "./rows";
import { createTransferTimings } from "./timings";
import type { ExportFormat, Leaderboard, LeaderboardFilterInput, LeaderboardInput, LeaderboardOptions } from "./types";

/** A board built from the store's groups, with each row's group (for the average's spread). */
interface BuiltBoard {
  board: Leaderboard;
  groupOf: Map<string, LeaderboardGroupRow>;
}

export function createLeaderboardService(stores: Stores) {
  const rowKeyOf = createRowKeys();
  const memo = createBoardMemo<BuiltBoard>(({ board }) => board.rows.length * (board.columns.length + 1));

  /** The whole board: best per column, labels and the order need every row. */
  async function buildBoard(resolved: ResolvedLeaderboard, query: LeaderboardQuery): Promise<BuiltBoard> {
    const groups = await stores.leaderboard.leaderboard(query);
    const keys = groups.map(rowKeyOf);
    return { board: buildLeaderboard(groups, resolved, keys), groupOf: new Map(groups.map((g, i) => [keys[i]!, g])) };
  }

  /**
   * A board answered from the maintained summaries is kept per version (board-memo.ts) and
   * its pages cut from it; the average's spread is read for the rows returned only (the
   * page and the baseline), once per kept board.
   */
  async function leaderboard(input: LeaderboardInput = {}, options: LeaderboardOptions = {}): Promise<Leaderboard> {
    const resolved = await resolveLeaderboardInput(stores, input);
    const query = { ...resolved.query, withRuns: options.withRuns ?? true };
    const { board, groupOf } = stores.leaderboard.answersFromSummaries(query)
      ? await memo.get(JSON.stringify(resolved), await stores.leaderboard.version(), () => buildBoard(resolved, query))
      : await buildBoard(resolved, query);
    const page = options.page ? pageRows(board.rows, options.page) : { rows: board.rows, pageInfo: board.pageInfo };
    const shown = board.baseline && !page.rows.includes(board.baseline) ? [...page.rows, board.baseline] : page.rows;
    const pending = shown.filter((row) => groupOf.get(row.key)?.pendingSpread);
    if (pending.length > 0) {
      const groups = pending.map((row) => groupOf.get(row.key)!);
      await stores.leaderboard.averageSpreads(resolved.query.columns, groups);
      pending.forEach((row, i) => applyAverageSpread(row, groups[i]!, resolved.std));
    }
    return { ...board, ...page };
  }

  const compareRuns = createRunComparison(stores);

  return {
    leaderboard,

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
