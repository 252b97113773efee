// Dataset quality: launching a quality run, and its rank correlation with the leaderboard.
import type { MutationResolvers, QueryResolvers } from "../generated/graphql/resolvers";

export const datasetQualityResolvers = {
  Query: {
    qualityCorrelations: (_, args, ctx) => ctx.services.leaderboard.qualityCorrelations(args),
  } satisfies QueryResolvers,
  Mutation: {
    launchDatasetQuality: async (_, args, ctx) => (await ctx.services.launcher.launch("DATASET_QUALITY", args))[0]!,
  } satisfies MutationResolvers,
};
