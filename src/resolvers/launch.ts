// Launching and cancelling runs: parse -> launch service -> the run.
import { actorOf } from "../services/actor";
import type { GraphQLContext } from "../graphql/context";
import type { LaunchTransferInput } from "../services/launch-service";

type Ctx = GraphQLContext;

export const launchResolvers = {
  Mutation: {
    launchTransfer: (_: unknown, args: LaunchTransferInput, ctx: Ctx) => ctx.services.launch.launchTransfer(args),
    cancelRun: (_: unknown, args: { id: string }, ctx: Ctx) => ctx.services.launch.cancelRun(args.id, actorOf(ctx.principal)),
  },
};
