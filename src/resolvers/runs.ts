// Runs, their metrics, curves and lineage: parse -> service -> shape.
import type { Curve, Metric, Run } from "../generated/prisma/client";
import type { GraphQLContext } from "../graphql/context";
import type { CreateRunInput, MetricColumnInput, RunsPageInput, UpdateRunInput } from "../services/runs-service";
import type { MetricPointInput } from "../services/metrics-service";
import { actorOf } from "../services/actor";
import { metricColumnRef } from "../services/runs-service";
import { lineageOf } from "./catalogue";

type Ctx = GraphQLContext;

/**
 * Shapes metrics for the API with their benchmark attached, so the thousands of
 * Metric fields in a dashboard query resolve synchronously (one loader call per
 * distinct benchmark instead of one promise per metric).
 */
async function shapeMetrics(metrics: Metric[], ctx: Ctx) {
  const ids = [...new Set(metrics.flatMap((m) => (m.benchmarkId ? [m.benchmarkId] : [])))];
  const benchmarks = new Map(ids.map((id, i) => [id, i]));
  const loaded = await ctx.loaders.benchmark.loadMany(ids);
  return metrics.map((m) => ({
    ...m,
    id: m.id.toString(),
    benchmark: m.benchmarkId ? (loaded[benchmarks.get(m.benchmarkId)!] ?? null) : null,
  }));
}

/** Resolves a benchmark name to its id: undefined = no filter, null = unknown name (matches nothing). */
async function benchmarkFilter(name: string | null | undefined, ctx: Ctx): Promise<string | undefined | null> {
  if (!name) return undefined;
  return (await ctx.loaders.benchmarkByName.load(name))?.id ?? null;
}

export const runResolvers = {
  Query: {
    async runs(_: unknown, args: RunsPageInput, ctx: Ctx) {
      const page = await ctx.services.runs.page(args);
      const edges = page.rows.map((run) => ({ cursor: page.cursorOf(run), node: run }));
      return {
        edges,
        nodes: page.rows,
        // A function: GraphQL calls it only when the query asks for totalCount.
        totalCount: page.countAll,
        pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
      };
    },
    run: (_: unknown, args: { id: string }, ctx: Ctx) => ctx.services.runs.find(args.id),
  },
  Mutation: {
    createRun: (_: unknown, args: { input: CreateRunInput }, ctx: Ctx) => ctx.services.runs.create(args.input),
    updateRun: (_: unknown, args: { id: string; input: UpdateRunInput }, ctx: Ctx) =>
      ctx.services.runs.update(args.id, args.input, actorOf(ctx.principal)),
    logMetrics: (_: unknown, args: { runId: string; points: MetricPointInput[] }, ctx: Ctx) =>
      ctx.services.metrics.log(args.runId, args.points, actorOf(ctx.principal)),
    tagRun: (_: unknown, args: { id: string; add?: string[] | null; remove?: string[] | null }, ctx: Ctx) =>
      ctx.services.runAnnotations.changeTags(ctx.principal, args.id, args),
    setRunNotes: (_: unknown, args: { id: string; notes?: string | null }, ctx: Ctx) =>
      ctx.services.runAnnotations.setNotes(ctx.principal, args.id, args.notes),
    archiveRun: (_: unknown, args: { id: string }, ctx: Ctx) => ctx.services.runAnnotations.setArchived(ctx.principal, args.id, true),
    restoreRun: (_: unknown, args: { id: string }, ctx: Ctx) => ctx.services.runAnnotations.setArchived(ctx.principal, args.id, false),
    importPublishedResults: (_: unknown, args: { document: unknown }, ctx: Ctx) =>
      ctx.services.importPublishedResults(args.document),
  },
  Run: {
    published: (run: Run) => run.source != null,
    archived: (run: Run) => run.archivedAt != null,
    dataset: (run: Run, _: unknown, ctx: Ctx) => (run.datasetId ? ctx.loaders.dataset.load(run.datasetId) : null),
    transferMethod: (run: Run, _: unknown, ctx: Ctx) =>
      run.transferMethodId ? ctx.loaders.transferMethod.load(run.transferMethodId) : null,
    faceModel: (run: Run, _: unknown, ctx: Ctx) => (run.faceModelId ? ctx.loaders.faceModel.load(run.faceModelId) : null),
    progress: (run: Run) => ({
      done: run.progressDone,
      total: run.progressTotal,
      phase: run.progressPhase,
      rate: run.progressRate,
      etaSeconds: run.progressEtaSeconds,
      fraction: run.progressDone != null && run.progressTotal ? Math.min(1, run.progressDone / run.progressTotal) : null,
    }),
    async metrics(run: Run, args: { benchmark?: string | null; name?: string | null }, ctx: Ctx) {
      const benchmarkId = await benchmarkFilter(args.benchmark, ctx);
      if (benchmarkId === null) return [];
      const metrics = await ctx.loaders.metrics.load({ runId: run.id, ...(benchmarkId ? { benchmarkId } : {}), name: args.name ?? null });
      return shapeMetrics(metrics, ctx);
    },
    /** One runs-table column: the metric reduced over steps (null when the run lacks it). */
    async metricValue(run: Run, args: MetricColumnInput, ctx: Ctx) {
      const benchmarkId = await benchmarkFilter(args.benchmark, ctx);
      if (benchmarkId === null) return null;
      const ref = metricColumnRef("metricValue", { ...args, benchmark: null }, benchmarkId ?? null);
      return ctx.loaders.metricAggregate.load({ runId: run.id, ref });
    },
    configValue: (run: Run, args: { key: string }) => (run.config as Record<string, unknown> | null)?.[args.key] ?? null,
    async metricHistory(run: Run, args: { name: string; benchmark?: string | null }, ctx: Ctx) {
      const benchmarkId = await benchmarkFilter(args.benchmark, ctx);
      if (benchmarkId === null) return [];
      // Without a benchmark, a history means the run's own (benchmark-less) metric.
      return ctx.loaders.metrics.load({ runId: run.id, benchmarkId: benchmarkId ?? null, name: args.name });
    },
    async curves(run: Run, args: { benchmark?: string | null; kind?: string | null }, ctx: Ctx) {
      const benchmarkId = await benchmarkFilter(args.benchmark, ctx);
      if (benchmarkId === null) return [];
      const curves = await ctx.loaders.curves.load(run.id);
      return curves.filter((c) => (!benchmarkId || c.benchmarkId === benchmarkId) && (!args.kind || c.kind === args.kind));
    },
    async lineage(run: Run, _: unknown, ctx: Ctx) {
      const inputDataset = run.datasetId ? await ctx.loaders.dataset.load(run.datasetId) : null;
      return {
        inputDataset,
        datasetChain: inputDataset ? await lineageOf(inputDataset, ctx) : [],
        transferMethod: run.transferMethodId ? ctx.loaders.transferMethod.load(run.transferMethodId) : null,
        faceModel: run.faceModelId ? ctx.loaders.faceModel.load(run.faceModelId) : null,
        outputDataset: ctx.loaders.outputDataset.load(run.id),
        outputFaceModel: ctx.loaders.outputFaceModel.load(run.id),
      };
    },
  },
  Curve: {
    benchmark: (c: Curve, _: unknown, ctx: Ctx) => (c.benchmarkId ? ctx.loaders.benchmark.load(c.benchmarkId) : null),
  },
};
