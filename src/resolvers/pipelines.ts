// Pipelines: parse -> service -> shape.
import { pipelineProgress } from "../services/pipelines-service";
import { badInput } from "../errors";
import type { MutationResolvers, PipelineResolvers, QueryResolvers, RunResolvers, SubscriptionResolvers } from "../generated/graphql/resolvers";

export const pipelineResolvers = {
  Query: {
    pipelines(_, args, ctx) {
      if (!Number.isInteger(args.first) || args.first < 1 || args.first > 500) throw badInput("first", "must be between 1 and 500");
      return ctx.services.pipelines.list(args.first);
    },
    pipeline: (_, args, ctx) => ctx.services.pipelines.byId(args.id),
  } satisfies QueryResolvers,
  Mutation: {
    launchPipeline: (_, args, ctx) => ctx.services.pipelines.launchPipeline(args.input),
    cancelPipeline: (_, args, ctx) => ctx.services.pipelines.cancelPipeline(args.id),
    resumePipeline: (_, args, ctx) => ctx.services.pipelines.resumePipeline(args.id),
  } satisfies MutationResolvers,
  Run: {
    pipeline: (run, _, ctx) => (run.pipelineId ? ctx.services.pipelines.byId(run.pipelineId) : null),
  } satisfies RunResolvers,
  Pipeline: {
    runs: (p, _, ctx) => ctx.services.pipelines.runsOf(p.id),
    progress: async (p, _, ctx) => pipelineProgress(p, await ctx.services.pipelines.runsOf(p.id)),
  } satisfies PipelineResolvers,
  Subscription: {
    pipelineUpdated: {
      async *subscribe(_, args, ctx) {
        for await (const event of ctx.events.subscribe("pipelineUpdated", ctx.signal)) {
          if (event.pipelineId !== args.id) continue;
          const pipeline = await ctx.services.pipelines.byId(args.id);
          if (pipeline) yield { pipelineUpdated: { pipeline } };
        }
      },
    },
  } satisfies SubscriptionResolvers,
};
