// Trainers, TRAIN launches and run logs: parse -> service -> shape.
import type { GraphQLContext } from "../graphql/context";
import type { Run, Trainer } from "../generated/prisma/client";
import { hasScope } from "../services/auth-service";
import { visibleEnvironment, type LaunchTrainingInput, type RegisterTrainerInput } from "../services/trainers-service";
import { badInput } from "../errors";

type Ctx = GraphQLContext;

export const trainingResolvers = {
  Query: {
    trainers: (_: unknown, __: unknown, ctx: Ctx) => ctx.services.trainers.list(),
  },
  Mutation: {
    registerTrainer: (_: unknown, args: { input: RegisterTrainerInput }, ctx: Ctx) => ctx.services.trainers.register(args.input),
    launchTraining: (_: unknown, args: LaunchTrainingInput, ctx: Ctx) => ctx.services.trainers.launchTraining(args),
  },
  Trainer: {
    environment: (trainer: Trainer, _: unknown, ctx: Ctx) => visibleEnvironment(trainer.environment, hasScope(ctx.principal, "ADMIN")),
  },
  Run: {
    trainer: async (run: Run, _: unknown, ctx: Ctx) => (run.trainerId ? (await ctx.services.stores.trainers.byIds([run.trainerId]))[0] : null),
    async logTail(run: Run, args: { lines: number }, ctx: Ctx) {
      if (!Number.isInteger(args.lines) || args.lines < 1 || args.lines > 2_000) throw badInput("lines", "must be between 1 and 2000");
      const rows = await ctx.services.stores.trainers.logTail(run.id, args.lines);
      return rows.map((r) => ({ stream: r.stream, line: r.line, at: r.createdAt }));
    },
  },
  Subscription: {
    runLog: {
      async *subscribe(_: unknown, args: { runId: string }, ctx: Ctx) {
        for await (const event of ctx.events.subscribe("runLog", ctx.signal)) {
          if (event.runId === args.runId) {
            const at = new Date();
            yield { runLog: { runId: event.runId, lines: event.lines.map((l) => ({ ...l, at })) } };
          }
        }
      },
    },
  },
};
