// Launching evaluations: parse -> evaluation launch service -> the queued runs.
import type { GraphQLContext } from "../graphql/context";
import type { LaunchEvaluationInput } from "../services/evaluation-launch";

export const evaluationResolvers = {
  Mutation: {
    launchEvaluation: (_: unknown, args: { input: LaunchEvaluationInput }, ctx: GraphQLContext) =>
      ctx.services.evaluationLaunch.launchEvaluation(args.input),
  },
};
