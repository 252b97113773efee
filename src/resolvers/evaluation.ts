// Launching evaluations: parse -> the run launcher (kind EVALUATE) -> the queued runs.
import type { MutationResolvers } from "../generated/graphql/resolvers";

export const evaluationResolvers = {
  Mutation: {
    launchEvaluation: (_, args, ctx) => ctx.services.launcher.launch("EVALUATE", args.input),
  } satisfies MutationResolvers,
};
