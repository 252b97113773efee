// Run reports from the job that executes a run (claim, heartbeat, log, outcome):
// parse -> service -> shape. Authorization (own run only for run tokens) is in
// src/graphql/authorization.ts.
import type { RunOutcome } from "../domain/run-outcome";
import type { GraphQLContext } from "../graphql/context";
import { actorOf } from "../services/actor";
import { hasScope } from "../services/auth-service";
import type { ReportedLogLine, ReportedProgress } from "../services/run-reports-service";

type Ctx = GraphQLContext;

export const runReportResolvers = {
  Mutation: {
    async claimRun(_: unknown, args: { runId: string; worker: string; device: string }, ctx: Ctx) {
      // The trainer's variables are secrets: shown to the run's own token (its trainer gets them) or ADMIN.
      const reveal = ctx.principal.runId === args.runId || hasScope(ctx.principal, "ADMIN");
      const claimed = await ctx.services.runReports.claimWithEnvironment(args.runId, { name: args.worker, device: args.device }, actorOf(ctx.principal), reveal);
      if (!claimed) return null;
      const { run, trainerEnvironment } = claimed;
      return { run, attempt: run.attempt, processGroup: run.processGroup, processHost: run.processHost, trainerEnvironment };
    },
    heartbeatRun: (_: unknown, args: { runId: string; progress?: ReportedProgress | null }, ctx: Ctx) =>
      ctx.services.runReports.heartbeat(args.runId, args.progress && { ...args.progress, total: args.progress.total ?? null, rate: args.progress.rate ?? null, etaSeconds: args.progress.etaSeconds ?? null }),
    async appendRunLog(_: unknown, args: { runId: string; lines: ReportedLogLine[] }, ctx: Ctx) {
      await ctx.services.runReports.appendLog(args.runId, args.lines);
      return true;
    },
    async recordRunProcess(_: unknown, args: { runId: string; processGroup?: number | null; processHost?: string | null }, ctx: Ctx) {
      await ctx.services.runReports.recordProcess(args.runId, args.processGroup ?? null, args.processHost ?? null);
      return true;
    },
    finishRun: (_: unknown, args: { runId: string; outcome: RunOutcome }, ctx: Ctx) =>
      ctx.services.runOutcome.record(args.runId, args.outcome, actorOf(ctx.principal), {
        mayRegisterOutputs: ctx.principal.runId === args.runId || hasScope(ctx.principal, "ADMIN"),
      }),
    failRun: (_: unknown, args: { runId: string; error: string }, ctx: Ctx) => ctx.services.runReports.fail(args.runId, args.error, actorOf(ctx.principal)),
    requeueRun: (_: unknown, args: { runId: string; reason: string }, ctx: Ctx) => ctx.services.runReports.requeue(args.runId, args.reason),
  },
};
