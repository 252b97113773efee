// The leaderboard service: the table (aggregated in SQL by the leaderboard store,
// shaped by the rules in rows.ts), its exports, run comparison, Table 1 timings,
// and the scope test behind leaderboardChanged.
import type { Stores } from "../../db/stores";
import type { LeaderboardScope } from "../../db/stores/leaderboard-store";
import { createRunComparison, createRunGroupComparison } from "./compare-runs";
import { exportLeaderboard } from "./export";
import { resolveLeaderboardInput } from "./input";
import { createQualityCorrelations } from "./quality-correlations";
import { buildLeaderboard } from "./rows";
import { createTransferTimings } from "./timings";
import type { ExportFormat, Leaderboard, LeaderboardFilterInput, LeaderboardInput, LeaderboardOptions } from "./types";

export function createLeaderboardService(stores: Stores) {
  async function leaderboard(input: LeaderboardInput = {}, options: LeaderboardOptions = {}): Promise<Leaderboard> {
    const resolved = await resolveLeaderboardInput(stores, input);
    const groups = await stores.leaderboard.leaderboard({ ...resolved.query, withRuns: options.withRuns ?? true });
    return buildLeaderboard(groups, resolved);
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
