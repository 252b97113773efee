import { catalogueResolvers } from "./catalogue";
import { launchResolvers } from "./launch";
import { leaderboardResolvers } from "./leaderboard";
import { runResolvers } from "./runs";
import { subscriptionResolvers } from "./subscriptions";
import { DateTime, JSONScalar } from "./scalars";

export const resolvers = {
  DateTime,
  JSON: JSONScalar,
  Query: { ...catalogueResolvers.Query, ...runResolvers.Query, ...leaderboardResolvers.Query },
  Mutation: { ...catalogueResolvers.Mutation, ...runResolvers.Mutation, ...launchResolvers.Mutation },
  Subscription: { ...subscriptionResolvers.Subscription, ...leaderboardResolvers.Subscription },
  Dataset: catalogueResolvers.Dataset,
  TransferMethod: catalogueResolvers.TransferMethod,
  FaceModel: catalogueResolvers.FaceModel,
  Run: runResolvers.Run,
  Curve: runResolvers.Curve,
  ...leaderboardResolvers.types,
};
