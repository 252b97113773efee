// Runs, their metrics, curves and lineage: parse -> service -> shape.
import type { Benchmark, Run } from "../generated/prisma/client";
import type { GraphQLContext } from "../graphql/context";
import { actorOf } from "../services/actor";
import { metricColumnRef } from "../services/runs-service";
import { lineageOf } from "./catalogue";
import type { CurveResolvers, MutationResolvers, QueryResolvers, RunConnectionResolvers, RunResolvers } from "../generated/graphql/resolvers";

type Ctx = GraphQLContext;

/**
 * Attaches each row's benchmark, so the thousands of Metric fields in a dashboard query
 * resolve synchronously (one catalogue read per request instead of one promise per metric).
 */
async function withBenchmarks<T extends { benchmarkId: string | null }>(rows: T[], ctx: Ctx): Promise<Array<T & { benchmark: Benchmark | null }>> {
  const byId = await ctx.loaders.benchmarksById();
  // Set in place, not copied: the rows are this request's own (loaders live per request).
  const shaped = rows as Array<T & { benchmark: Benchmark | null }>;
  for (const row of shaped) row.benchmark = row.benchmarkId ? (byId.get(row.benchmarkId) ?? null) : null;
  return shaped;
}

/** Resolves a benchmark name to its id: undefined = no filter, null = unknown name (matches nothing). */
async function benchmarkFilter(name: string | null | undefined, ctx: Ctx): Promise<string | undefined | null> {
  if (!name) return undefined;
  return (await ctx.loaders.benchmarkByName.load(name))?.id ?? null;
}

export const runResolvers = {
  Query: {
    async runs(_, args, ctx) {
      const page = await ctx.services.runs.page(args);
      const edges = page.rows.map((run) => ({ cursor: page.cursorOf(run), node: run }));
      return {
        edges,
        nodes: page.rows,
        // A function: RunConnection.totalCount calls it only when the query asks for it.
        totalCount: page.countAll,
        pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
      };
    },
    run: (_, args, ctx) => ctx.services.runs.find(args.id),
  } satisfies QueryResolvers,
  Mutation: {
    createRun: (_, args, ctx) => ctx.services.runs.create(args.input),
    updateRun: (_, args, ctx) =>
      ctx.services.runs.update(args.id, args.input, actorOf(ctx.principal)),
    logMetrics: (_, args, ctx) =>
      ctx.services.metrics.log(args.runId, args.points, actorOf(ctx.principal)),
    tagRun: (_, args, ctx) =>
      ctx.services.runAnnotations.changeTags(ctx.principal, args.id, args),
    setRunNotes: (_, args, ctx) =>
      ctx.services.runAnnotations.setNotes(ctx.principal, args.id, args.notes),
    archiveRun: (_, args, ctx) => ctx.services.runAnnotations.setArchived(ctx.principal, args.id, true),
    restoreRun: (_, args, ctx) => ctx.services.runAnnotations.setArchived(ctx.principal, args.id, false),
    importPublishedResults: (_, args, ctx) =>
      ctx.services.importPublishedResults(args.document),
  } satisfies MutationResolvers,
  Run: {
    published: (run) => run.source != null,
    archived: (run) => run.archivedAt != null,
    dataset: (run, _, ctx) => (run.datasetId ? ctx.loaders.dataset.load(run.datasetId) : null),
    transferMethod: (run, _, ctx) =>
      run.transferMethodId ? ctx.loaders.transferMethod.load(run.transferMethodId) : null,
    faceModel: (run, _, ctx) => (run.faceModelId ? ctx.loaders.faceModel.load(run.faceModelId) : null),
    progress: (run) => ({
      done: run.progressDone,
      total: run.progressTotal,
      phase: run.progressPhase,
      rate: run.progressRate,
      etaSeconds: run.progressEtaSeconds,
      fraction: run.progressDone != null && run.progressTotal ? Math.min(1, run.progressDone / run.progressTotal) : null,
    }),
    async metrics(run, args, ctx) {
      const benchmarkId = await benchmarkFilter(args.benchmark, ctx);
      if (benchmarkId === null) return [];
      // The benchmark catalogue is read alongside the points, not after them.
      ctx.loaders.prefetchBenchmarks();
      const metrics = await ctx.loaders.metrics.load({ runId: run.id, ...(benchmarkId ? { benchmarkId } : {}), name: args.name ?? null });
      return withBenchmarks(metrics, ctx);
    },
    /** One row per metric from the maintained summary: the runs table's values without the histories. */
    async metricSummaries(run, args, ctx) {
      const benchmarkId = await benchmarkFilter(args.benchmark, ctx);
      if (benchmarkId === null) return [];
      ctx.loaders.prefetchBenchmarks();
      const summaries = (await ctx.loaders.metricSummaries.load(run.id)).filter(
        (s) => (!benchmarkId || s.benchmarkId === benchmarkId) && (!args.name || s.name === args.name),
      );
      return withBenchmarks(summaries, ctx);
    },
    /** One runs-table column: the metric reduced over steps (null when the run lacks it). */
    async metricValue(run, args, ctx) {
      const benchmarkId = await benchmarkFilter(args.benchmark, ctx);
      if (benchmarkId === null) return null;
      const ref = metricColumnRef("metricValue", { ...args, benchmark: null }, benchmarkId ?? null);
      return ctx.loaders.metricAggregate.load({ runId: run.id, ref });
    },
    configValue: (run, args) => (run.config as Record<string, unknown> | null)?.[args.key] ?? null,
    async metricHistory(run, args, ctx) {
      const benchmarkId = await benchmarkFilter(args.benchmark, ctx);
      if (benchmarkId === null) return [];
      // Without a benchmark, a history means the run's own (benchmark-less) metric.
      return ctx.loaders.metrics.load({ runId: run.id, benchmarkId: benchmarkId ?? null, name: args.name });
    },
    async curves(run, args, ctx) {
      const benchmarkId = await benchmarkFilter(args.benchmark, ctx);
      if (benchmarkId === null) return [];
      const curves = await ctx.loaders.curves.load(run.id);
      return curves.filter((c) => (!benchmarkId || c.benchmarkId === benchmarkId) && (!args.kind || c.kind === args.kind));
    },
    async lineage(run, _, ctx) {
      const [inputDataset, transferMethod, faceModel, outputDataset, outputFaceModel] = await Promise.all([
        run.datasetId ? ctx.loaders.dataset.load(run.datasetId) : null,
        run.transferMethodId ? ctx.loaders.transferMethod.load(run.transferMethodId) : null,
        run.faceModelId ? ctx.loaders.faceModel.load(run.faceModelId) : null,
        ctx.loaders.outputDataset.load(run.id),
        ctx.loaders.outputFaceModel.load(run.id),
      ]);
      return { inputDataset, datasetChain: inputDataset ? await lineageOf(inputDataset, ctx) : [], transferMethod, faceModel, outputDataset, outputFaceModel };
    },
  } satisfies RunResolvers,
  Curve: {
    benchmark: (c, _, ctx) => (c.benchmarkId ? ctx.loaders.benchmark.load(c.benchmarkId) : null),
  } satisfies CurveResolvers,
  RunConnection: {
    totalCount: (connection) => connection.totalCount(),
  } satisfies RunConnectionResolvers,
};

/** What the runs query returns: totalCount is counted only when a query selects it. */
export interface RunConnectionModel {
  edges: Array<{ cursor: string; node: Run }>;
  nodes: Run[];
  totalCount: () => Promise<number>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}
