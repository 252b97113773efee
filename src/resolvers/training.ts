// Trainers, TRAIN launches and run logs: parse -> service -> shape.
import { hasScope } from "../services/auth-service";
import { visibleEnvironment } from "../services/trainers-service";
import { badInput } from "../errors";
import type { MutationResolvers, QueryResolvers, RunResolvers, SubscriptionResolvers, TrainerResolvers } from "../generated/graphql/resolvers";

export const trainingResolvers = {
  Query: {
    trainers: (_, __, ctx) => ctx.services.trainers.list(),
  } satisfies QueryResolvers,
  Mutation: {
    registerTrainer: (_, args, ctx) => ctx.services.trainers.register(args.input),
    launchTraining: (_, args, ctx) => ctx.services.trainers.launchTraining(args),
  } satisfies MutationResolvers,
  Trainer: {
    environment: (trainer, _, ctx) => visibleEnvironment(trainer.environment, hasScope(ctx.principal, "ADMIN")),
  } satisfies TrainerResolvers,
  Run: {
    trainer: async (run, _, ctx) => (run.trainerId ? (await ctx.services.stores.trainers.byIds([run.trainerId]))[0] : null),
    async logTail(run, args, ctx) {
      if (!Number.isInteger(args.lines) || args.lines < 1 || args.lines > 2_000) throw badInput("lines", "must be between 1 and 2000");
      const rows = await ctx.services.stores.trainers.logTail(run.id, args.lines);
      return rows.map((r) => ({ stream: r.stream, line: r.line, at: r.createdAt }));
    },
  } satisfies RunResolvers,
  Subscription: {
    runLog: {
      async *subscribe(_, args, ctx) {
        for await (const event of ctx.events.subscribe("runLog", ctx.signal)) {
          if (event.runId === args.runId) {
            const at = new Date();
            yield { runLog: { runId: event.runId, lines: event.lines.map((l) => ({ ...l, at })) } };
          }
        }
      },
    },
  } satisfies SubscriptionResolvers,
};
