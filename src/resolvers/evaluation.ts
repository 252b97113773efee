// Launching evaluations: parse -> the run launcher (kind EVALUATE) -> the queued runs.
import type { GraphQLContext } from "../graphql/context";
import type { LaunchEvaluationInput } from "../kinds/evaluate/params";

export const evaluationResolvers = {
  Mutation: {
    launchEvaluation: (_: unknown, args: { input: LaunchEvaluationInput }, ctx: GraphQLContext) =>
      ctx.services.launcher.launch("EVALUATE", args.input),
  },
};
