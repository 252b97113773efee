// Run reports from the job that executes a run (claim, heartbeat, log, outcome):
// parse -> service -> shape. Authorization (own run only for run tokens) is in
// src/graphql/authorization.ts.
import type { RunOutcome } from "../domain/run-outcome";
import type { MutationResolvers } from "../generated/graphql/resolvers";
import { actorOf } from "../services/actor";
import { hasScope } from "../services/auth-service";

export const runReportResolvers = {
  Mutation: {
    async claimRun(_, args, ctx) {
      // The trainer's variables are secrets: shown to the run's own token (its trainer gets them) or ADMIN.
      const reveal = ctx.principal.runId === args.runId || hasScope(ctx.principal, "ADMIN");
      const claimed = await ctx.services.runReports.claimWithEnvironment(args.runId, { name: args.worker, device: args.device }, actorOf(ctx.principal), reveal);
      if (!claimed) return null;
      const { run, trainerEnvironment } = claimed;
      return { run, attempt: run.attempt, processGroup: run.processGroup, processHost: run.processHost, trainerEnvironment };
    },
    heartbeatRun: (_, args, ctx) =>
      ctx.services.runReports.heartbeat(args.runId, args.progress && { ...args.progress, phase: args.progress.phase ?? null, total: args.progress.total ?? null, rate: args.progress.rate ?? null, etaSeconds: args.progress.etaSeconds ?? null }),
    async appendRunLog(_, args, ctx) {
      await ctx.services.runReports.appendLog(args.runId, args.lines);
      return true;
    },
    async recordRunProcess(_, args, ctx) {
      await ctx.services.runReports.recordProcess(args.runId, args.processGroup ?? null, args.processHost ?? null);
      return true;
    },
    finishRun: (_, args, ctx) =>
      // record() checks every field of the outcome (names, counts, sizes) before writing.
      ctx.services.runOutcome.record(args.runId, args.outcome as RunOutcome, actorOf(ctx.principal), {
        mayRegisterOutputs: ctx.principal.runId === args.runId || hasScope(ctx.principal, "ADMIN"),
      }),
    failRun: (_, args, ctx) => ctx.services.runReports.fail(args.runId, args.error, actorOf(ctx.principal)),
    requeueRun: (_, args, ctx) => ctx.services.runReports.requeue(args.runId, args.reason),
  } satisfies MutationResolvers,
};
