// Dataset quality: launching a quality run, and its rank correlation with the leaderboard.
import type { MutationResolvers, QueryResolvers } from "../generated/graphql/resolvers";

export const datasetQualityResolvers = {
  Query: {
    qualityCorrelations: (_, args, ctx) => ctx.services.leaderboard.qualityCorrelations(args),
  } satisfies QueryResolvers,
  Mutation: {
    launchDatasetQuality: (_, args, ctx) =>
      ctx.services.datasetQualityLaunch.launchDatasetQuality(args),
  } satisfies MutationResolvers,
};
