// Dataset quality: launching a quality run, and its rank correlation with the leaderboard.
import type { GraphQLContext } from "../graphql/context";
import type { LaunchDatasetQualityInput } from "../services/dataset-quality-launch";
import type { QualityCorrelationsInput } from "../services/leaderboard/quality-correlations";

export const datasetQualityResolvers = {
  Query: {
    qualityCorrelations: (_: unknown, args: QualityCorrelationsInput, ctx: GraphQLContext) => ctx.services.leaderboard.qualityCorrelations(args),
  },
  Mutation: {
    launchDatasetQuality: (_: unknown, args: LaunchDatasetQualityInput, ctx: GraphQLContext) =>
      ctx.services.datasetQualityLaunch.launchDatasetQuality(args),
  },
};
