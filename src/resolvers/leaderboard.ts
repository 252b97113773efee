// Leaderboard, exports, run comparison, Table 1 timings and leaderboardChanged:
// parse -> service -> shape.
import { Kind, type GraphQLResolveInfo, type SelectionNode } from "graphql";
import { required } from "../errors";
import type { GraphQLContext } from "../graphql/context";
import type { Leaderboard, LeaderboardChange } from "../services/leaderboard/types";
import { cellText } from "../services/leaderboard/export";
import type { LeaderboardCellResolvers, LeaderboardChangeResolvers, LeaderboardColumnResolvers, LeaderboardRowResolvers, MetricComparisonResolvers, QueryResolvers, RunComparisonResolvers, RunMetricHistoryResolvers, SubscriptionResolvers, TransferMethodTimingResolvers } from "../generated/graphql/resolvers";

type Ctx = GraphQLContext;

/** Whether the query selects `path` below the current field (through fragments too). */
function selects(info: GraphQLResolveInfo, path: string[]): boolean {
  const walk = (selections: readonly SelectionNode[], depth: number): boolean =>
    selections.some((node) => {
      if (node.kind === Kind.INLINE_FRAGMENT) return walk(node.selectionSet.selections, depth);
      if (node.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = info.fragments[node.name.value];
        return fragment ? walk(fragment.selectionSet.selections, depth) : false;
      }
      if (node.name.value !== path[depth]) return false;
      return depth === path.length - 1 || (node.selectionSet ? walk(node.selectionSet.selections, depth + 1) : false);
    });
  return info.fieldNodes.some((field) => (field.selectionSet ? walk(field.selectionSet.selections, 0) : false));
}

/** Run ids and seeds cost the most to return; fetch them only when asked for. */
function wantsRuns(info: GraphQLResolveInfo): boolean {
  return ["rows", "baseline"].some((parent) => selects(info, [parent, "runIds"]) || selects(info, [parent, "seeds"]));
}

/**
 * Loads the datasets and transfer methods the rows name, once each, when the query asks for
 * them, so the row fields read them without a promise per row (loaders' peek): 3,000 rows
 * otherwise cost 6,000 promises.
 */
async function loadRowCatalogue(board: Leaderboard, ctx: Ctx, info: GraphQLResolveInfo): Promise<void> {
  const rows = board.baseline ? [...board.rows, board.baseline] : board.rows;
  const wanted = (field: string) => selects(info, ["rows", field]) || selects(info, ["baseline", field]);
  const ids = (idOf: (row: Leaderboard["rows"][number]) => string | null) => [...new Set(rows.flatMap((row) => idOf(row) ?? []))];
  await Promise.all([
    wanted("dataset") || wanted("baseDataset") ? ctx.loaders.dataset.loadMany(ids((r) => r.datasetId).concat(ids((r) => r.baseDatasetId))) : null,
    wanted("transferMethod") ? ctx.loaders.transferMethod.loadMany(ids((r) => r.transferMethodId)) : null,
  ]);
}

async function benchmarkId(name: string | null | undefined, ctx: Ctx): Promise<string | null | undefined> {
  if (!name) return undefined;
  return (await ctx.loaders.benchmarkByName.load(name))?.id ?? null;
}

export const leaderboardResolvers = {
  Query: {
    async leaderboard(_, { first, after, ...args }, ctx, info) {
      const board = await ctx.services.leaderboard.leaderboard(args, { withRuns: wantsRuns(info), page: { first, after } });
      ctx.leaderboardVersions.push(board.keptVersion ?? null);
      await loadRowCatalogue(board, ctx, info);
      return board;
    },
    leaderboardExport: (_, { format, ...args }, ctx) =>
      ctx.services.leaderboard.export(format, args),
    compareRuns: (_, args, ctx) => ctx.services.leaderboard.compareRuns(args.ids),
    compareRunGroup: (_, args, ctx) =>
      ctx.services.leaderboard.compareRunGroup(args, Object.hasOwn(args, "group")),
    transferMethodTimings: (_, args, ctx) =>
      ctx.services.leaderboard.transferMethodTimings(args),
  } satisfies QueryResolvers,
  Subscription: {
    leaderboardChanged: {
      async *subscribe(_, args, ctx) {
        const events = ctx.events.subscribe("runUpdated", ctx.signal);
        // Resolved once, before waiting: an unknown dataset name fails the subscription now.
        const scope = await ctx.services.leaderboard.scopeOf(args.filter);
        for await (const event of events) {
          if (event.kind !== "EVALUATE" || event.status !== "SUCCEEDED") continue;
          // An archived run is out of every scope by now: announce it without the scope test.
          if (event.visibility !== "ARCHIVED" && !(await ctx.services.leaderboard.runInScope(event.runId, scope))) continue;
          const change: LeaderboardChange = { reason: event.visibility ? `RUN_${event.visibility}` : "RUN_SUCCEEDED", runId: event.runId, group: event.group };
          yield { leaderboardChanged: change };
        }
      },
    },
  } satisfies SubscriptionResolvers,
  /** Field resolvers of the types above, spread into the resolver map. */
  types: {
    LeaderboardChange: {
      run: (change, _, ctx) => ctx.services.runs.find(change.runId),
    } satisfies LeaderboardChangeResolvers,
    LeaderboardColumn: {
      benchmark: async (column, _, ctx) => required(await ctx.loaders.benchmark.load(column.benchmarkId), "benchmark", column.benchmarkId),
    } satisfies LeaderboardColumnResolvers,
    LeaderboardRow: {
      dataset: (row, _, ctx) => (row.datasetId ? (ctx.loaders.loadedDataset(row.datasetId) ?? ctx.loaders.dataset.load(row.datasetId)) : null),
      baseDataset: (row, _, ctx) =>
        row.baseDatasetId ? (ctx.loaders.loadedDataset(row.baseDatasetId) ?? ctx.loaders.dataset.load(row.baseDatasetId)) : null,
      transferMethod: (row, _, ctx) =>
        row.transferMethodId ? (ctx.loaders.loadedTransferMethod(row.transferMethodId) ?? ctx.loaders.transferMethod.load(row.transferMethodId)) : null,
    } satisfies LeaderboardRowResolvers,
    LeaderboardCell: {
      text: (cell) => cellText(cell) || null,
    } satisfies LeaderboardCellResolvers,
    RunComparison: {
      async curves(comparison, args, ctx) {
        const id = await benchmarkId(args.benchmark, ctx);
        const kind = args.kind ?? "ROC";
        return Promise.all(
          comparison.runs.map(async (run) => {
            const curves = id ? await ctx.loaders.curves.load(run.id) : [];
            return { run, curve: curves.find((c) => c.benchmarkId === id && c.kind === kind) ?? null };
          }),
        );
      },
      async histories(comparison, args, ctx) {
        let wanted: Array<{ benchmarkId: string | null; name: string }>;
        if (args.names?.length) {
          const id = await benchmarkId(args.benchmark, ctx);
          if (id === null) return [];
          wanted = args.names.map((name) => ({ benchmarkId: id ?? null, name }));
        } else {
          wanted = comparison.histories;
        }
        return Promise.all(
          wanted.flatMap(({ benchmarkId: bid, name }) =>
            comparison.runs.map(async (run) => ({
              run,
              name,
              benchmarkId: bid,
              points: await ctx.loaders.metrics.load({ runId: run.id, benchmarkId: bid, name }),
            })),
          ),
        );
      },
    } satisfies RunComparisonResolvers,
    MetricComparison: {
      benchmark: (m, _, ctx) => (m.benchmarkId ? ctx.loaders.benchmark.load(m.benchmarkId) : null),
    } satisfies MetricComparisonResolvers,
    RunMetricHistory: {
      benchmark: (h, _, ctx) =>
        h.benchmarkId ? ctx.loaders.benchmark.load(h.benchmarkId) : null,
    } satisfies RunMetricHistoryResolvers,
    TransferMethodTiming: {
      qualitative: (t) => t.method.qualitative,
    } satisfies TransferMethodTimingResolvers,
  },
};
