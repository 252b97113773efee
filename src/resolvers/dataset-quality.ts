// Dataset quality: launching a quality run, and its rank correlation with the leaderboard.
import type { GraphQLContext } from "../graphql/context";
import type { LaunchDatasetQualityInput } from "../kinds/dataset-quality/params";
import type { QualityCorrelationsInput } from "../services/leaderboard/quality-correlations";

export const datasetQualityResolvers = {
  Query: {
    qualityCorrelations: (_: unknown, args: QualityCorrelationsInput, ctx: GraphQLContext) => ctx.services.leaderboard.qualityCorrelations(args),
  },
  Mutation: {
    launchDatasetQuality: async (_: unknown, args: LaunchDatasetQualityInput, ctx: GraphQLContext) =>
      (await ctx.services.launcher.launch("DATASET_QUALITY", args))[0],
  },
};
