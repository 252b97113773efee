// Launching and cancelling runs: parse -> launch service -> the run.
import { actorOf } from "../services/actor";
import type { MutationResolvers } from "../generated/graphql/resolvers";

export const launchResolvers = {
  Mutation: {
    launchTransfer: (_, args, ctx) => ctx.services.launch.launchTransfer(args),
    cancelRun: (_, args, ctx) => ctx.services.launch.cancelRun(args.id, actorOf(ctx.principal)),
  } satisfies MutationResolvers,
};
