import type { Resolvers } from "../generated/graphql/resolvers";
import { authResolvers } from "./auth";
import { catalogueResolvers } from "./catalogue";
import { datasetQualityResolvers } from "./dataset-quality";
import { evaluationResolvers } from "./evaluation";
import { kindResolvers } from "./kinds";
import { launchResolvers } from "./launch";
import { leaderboardResolvers } from "./leaderboard";
import { pipelineResolvers } from "./pipelines";
import { runAuditResolvers } from "./run-audit";
import { runReportResolvers } from "./run-reports";
import { runResolvers } from "./runs";
import { subscriptionResolvers } from "./subscriptions";
import { trainingResolvers } from "./training";
import { DateTime, JSONScalar } from "./scalars";

export const resolvers = {
  DateTime,
  JSON: JSONScalar,
  Query: { ...catalogueResolvers.Query, ...runResolvers.Query, ...leaderboardResolvers.Query, ...datasetQualityResolvers.Query, ...trainingResolvers.Query, ...pipelineResolvers.Query, ...authResolvers.Query, ...kindResolvers.Query },
  Mutation: { ...catalogueResolvers.Mutation, ...runResolvers.Mutation, ...launchResolvers.Mutation, ...evaluationResolvers.Mutation, ...datasetQualityResolvers.Mutation, ...trainingResolvers.Mutation, ...pipelineResolvers.Mutation, ...authResolvers.Mutation, ...kindResolvers.Mutation, ...runReportResolvers.Mutation },
  Subscription: { ...subscriptionResolvers.Subscription, ...leaderboardResolvers.Subscription, ...trainingResolvers.Subscription, ...pipelineResolvers.Subscription },
  Dataset: catalogueResolvers.Dataset,
  TransferMethod: catalogueResolvers.TransferMethod,
  FaceModel: catalogueResolvers.FaceModel,
  Run: { ...runResolvers.Run, ...trainingResolvers.Run, ...pipelineResolvers.Run, ...runAuditResolvers.Run },
  Curve: runResolvers.Curve,
  RunConnection: runResolvers.RunConnection,
  Pipeline: pipelineResolvers.Pipeline,
  Trainer: trainingResolvers.Trainer,
  ...leaderboardResolvers.types,
} satisfies Resolvers;
