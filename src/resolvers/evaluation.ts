// Launching evaluations: parse -> evaluation launch service -> the queued runs.
import type { MutationResolvers } from "../generated/graphql/resolvers";

export const evaluationResolvers = {
  Mutation: {
    launchEvaluation: (_, args, ctx) =>
      ctx.services.evaluationLaunch.launchEvaluation(args.input),
  } satisfies MutationResolvers,
};
