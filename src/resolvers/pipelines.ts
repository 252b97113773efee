// Pipelines: parse -> service -> shape.
import type { Pipeline, Run } from "../generated/prisma/client";
import type { GraphQLContext } from "../graphql/context";
import type { LaunchPipelineInput } from "../services/pipelines-service";
import { pipelineProgress } from "../services/pipelines-service";
import { badInput } from "../errors";

type Ctx = GraphQLContext;

export const pipelineResolvers = {
  Query: {
    pipelines(_: unknown, args: { first: number }, ctx: Ctx) {
      if (!Number.isInteger(args.first) || args.first < 1 || args.first > 500) throw badInput("first", "must be between 1 and 500");
      return ctx.services.pipelines.list(args.first);
    },
    pipeline: (_: unknown, args: { id: string }, ctx: Ctx) => ctx.services.pipelines.byId(args.id),
  },
  Mutation: {
    launchPipeline: (_: unknown, args: { input: LaunchPipelineInput }, ctx: Ctx) => ctx.services.pipelines.launchPipeline(args.input),
    cancelPipeline: (_: unknown, args: { id: string }, ctx: Ctx) => ctx.services.pipelines.cancelPipeline(args.id),
    resumePipeline: (_: unknown, args: { id: string }, ctx: Ctx) => ctx.services.pipelines.resumePipeline(args.id),
  },
  Run: {
    pipeline: (run: Run, _: unknown, ctx: Ctx) => (run.pipelineId ? ctx.services.pipelines.byId(run.pipelineId) : null),
  },
  Pipeline: {
    runs: (p: Pipeline, _: unknown, ctx: Ctx) => ctx.services.pipelines.runsOf(p.id),
    progress: async (p: Pipeline, _: unknown, ctx: Ctx) => pipelineProgress(p, await ctx.services.pipelines.runsOf(p.id)),
  },
  Subscription: {
    pipelineUpdated: {
      async *subscribe(_: unknown, args: { id: string }, ctx: Ctx) {
        for await (const event of ctx.events.subscribe("pipelineUpdated", ctx.signal)) {
          if (event.pipelineId !== args.id) continue;
          const pipeline = await ctx.services.pipelines.byId(args.id);
          if (pipeline) yield { pipelineUpdated: { pipeline } };
        }
      },
    },
  },
};
