// Leaderboard, exports, run comparison, Table 1 timings and leaderboardChanged:
// parse -> service -> shape.
import { Kind, type GraphQLResolveInfo, type SelectionNode } from "graphql";
import type { GraphQLContext } from "../graphql/context";
import type { LeaderboardCell, LeaderboardColumn, LeaderboardFilterInput, LeaderboardInput, LeaderboardRow } from "../services/leaderboard/types";
import type { ExportFormat, LeaderboardPageInput, StdKind } from "../services/leaderboard/types";
import type { MetricComparison, RunComparison, RunGroupPage } from "../services/leaderboard/compare-runs";
import type { TransferMethodTiming } from "../services/leaderboard/timings";
import { cellText } from "../services/leaderboard/export";

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

async function benchmarkId(name: string | null | undefined, ctx: Ctx): Promise<string | null | undefined> {
  if (!name) return undefined;
  return (await ctx.loaders.benchmarkByName.load(name))?.id ?? null;
}

export const leaderboardResolvers = {
  Query: {
    leaderboard: (_: unknown, { first, after, ...args }: LeaderboardInput & LeaderboardPageInput, ctx: Ctx, info: GraphQLResolveInfo) =>
      ctx.services.leaderboard.leaderboard(args, { withRuns: wantsRuns(info), page: { first, after } }),
    leaderboardExport: (_: unknown, { format, ...args }: LeaderboardInput & { format: ExportFormat }, ctx: Ctx) =>
      ctx.services.leaderboard.export(format, args),
    compareRuns: (_: unknown, args: { ids: string[] }, ctx: Ctx) => ctx.services.leaderboard.compareRuns(args.ids),
    compareRunGroup: (_: unknown, args: RunGroupPage, ctx: Ctx) =>
      ctx.services.leaderboard.compareRunGroup(args, Object.hasOwn(args, "group")),
    transferMethodTimings: (_: unknown, args: { std?: StdKind | null; methods?: string[] | null }, ctx: Ctx) =>
      ctx.services.leaderboard.transferMethodTimings(args),
  },
  Subscription: {
    leaderboardChanged: {
      async *subscribe(_: unknown, args: { filter?: LeaderboardFilterInput | null }, ctx: Ctx) {
        const events = ctx.events.subscribe("runUpdated", ctx.signal);
        // Resolved once, before waiting: an unknown dataset name fails the subscription now.
        const scope = await ctx.services.leaderboard.scopeOf(args.filter);
        for await (const event of events) {
          if (event.kind !== "EVALUATE" || event.status !== "SUCCEEDED") continue;
          // An archived run is out of every scope by now: announce it without the scope test.
          if (event.visibility !== "ARCHIVED" && !(await ctx.services.leaderboard.runInScope(event.runId, scope))) continue;
          const reason = event.visibility ? `RUN_${event.visibility}` : "RUN_SUCCEEDED";
          yield { leaderboardChanged: { reason, runId: event.runId, group: event.group } };
        }
      },
    },
  },
  /** Field resolvers of the types above, spread into the resolver map. */
  types: {
    LeaderboardChange: {
      run: (change: { runId: string }, _: unknown, ctx: Ctx) => ctx.services.runs.require(change.runId).catch(() => null),
    },
    LeaderboardColumn: {
      benchmark: (column: LeaderboardColumn, _: unknown, ctx: Ctx) => ctx.loaders.benchmark.load(column.benchmarkId),
    },
    LeaderboardRow: {
      dataset: (row: LeaderboardRow, _: unknown, ctx: Ctx) => (row.datasetId ? ctx.loaders.dataset.load(row.datasetId) : null),
      baseDataset: (row: LeaderboardRow, _: unknown, ctx: Ctx) =>
        row.baseDatasetId ? ctx.loaders.dataset.load(row.baseDatasetId) : null,
      transferMethod: (row: LeaderboardRow, _: unknown, ctx: Ctx) =>
        row.transferMethodId ? ctx.loaders.transferMethod.load(row.transferMethodId) : null,
    },
    LeaderboardCell: {
      text: (cell: LeaderboardCell) => cellText(cell) || null,
    },
    RunComparison: {
      async curves(comparison: RunComparison, args: { benchmark: string; kind?: string | null }, ctx: Ctx) {
        const id = await benchmarkId(args.benchmark, ctx);
        const kind = args.kind ?? "ROC";
        return Promise.all(
          comparison.runs.map(async (run) => {
            const curves = id ? await ctx.loaders.curves.load(run.id) : [];
            return { run, curve: curves.find((c) => c.benchmarkId === id && c.kind === kind) ?? null };
          }),
        );
      },
      async histories(comparison: RunComparison, args: { names?: string[] | null; benchmark?: string | null }, ctx: Ctx) {
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
    },
    MetricComparison: {
      benchmark: (m: MetricComparison, _: unknown, ctx: Ctx) => (m.benchmarkId ? ctx.loaders.benchmark.load(m.benchmarkId) : null),
    },
    RunMetricHistory: {
      benchmark: (h: { benchmarkId: string | null }, _: unknown, ctx: Ctx) =>
        h.benchmarkId ? ctx.loaders.benchmark.load(h.benchmarkId) : null,
    },
    TransferMethodTiming: {
      qualitative: (t: TransferMethodTiming) => t.method.qualitative,
    },
  },
};
