// The leaderboard service: the table (aggregated in SQL by the leaderboard store,
// shaped by the rules in rows.ts), its exports, run comparison, Table 1 timings,
// and the scope test behind leaderboardChanged.
import type { Stores } from "../../db/stores";
import type { LeaderboardScope } from "../../db/stores/leaderboard-store";
import { createRunComparison, createRunGroupComparison } from "./compare-runs";
import { exportLeaderboard } from "./export";
import { resolveLeaderboardInput } from "./input";
import { createQualityCorrelations } from "./quality-correlations";
import { pageRows } from "./paging";
import { applyAverageSpread, buildLeaderboard, createRowKeys } from "./rows";
import { createTransferTimings } from "./timings";
import type { ExportFormat, Leaderboard, LeaderboardFilterInput, LeaderboardInput, LeaderboardOptions } from "./types";

export function createLeaderboardService(stores: Stores) {
  const rowKeyOf = createRowKeys();
  /**
   * The whole board is aggregated (best per column, labels and the order need every row);
   * the average's spread is then read for the rows returned only (the page and the baseline).
   */
  async function leaderboard(input: LeaderboardInput = {}, options: LeaderboardOptions = {}): Promise<Leaderboard> {
    const resolved = await resolveLeaderboardInput(stores, input);
    const groups = await stores.leaderboard.leaderboard({ ...resolved.query, withRuns: options.withRuns ?? true });
    const keys = groups.map(rowKeyOf);
    const board = buildLeaderboard(groups, resolved, keys);
    const page = options.page ? pageRows(board.rows, options.page) : { rows: board.rows, pageInfo: board.pageInfo };
    const shown = board.baseline && !page.rows.includes(board.baseline) ? [...page.rows, board.baseline] : page.rows;
    const groupOf = new Map(groups.map((g, i) => [keys[i]!, g]));
    const pending = new Set(shown.map((row) => groupOf.get(row.key)!).filter((g) => g?.pendingSpread));
    await stores.leaderboard.averageSpreads(resolved.query.columns, [...pending]);
    for (const row of shown) {
      const group = groupOf.get(row.key);
      if (group && pending.has(group)) applyAverageSpread(row, group, resolved.std);
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
