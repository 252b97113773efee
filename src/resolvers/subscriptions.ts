// Subscriptions read from the Postgres-backed event bus, so a client sees events
// written by any API process or worker.
import type { Run } from "../generated/prisma/client";
import type { RunProgressEvent, RunUpdatedEvent } from "../events/topics";
import type { RunUpdatedFilter, SubscriptionResolvers } from "../generated/graphql/resolvers";

function matches(event: RunUpdatedEvent, filter: RunUpdatedFilter | null | undefined): boolean {
  if (!filter) return true;
  return (
    (!filter.runId || filter.runId === event.runId) &&
    (!filter.kind || filter.kind === event.kind) &&
    (filter.group == null || filter.group === event.group) &&
    (!filter.status?.length || filter.status.includes(event.status))
  );
}

function withFraction(event: RunProgressEvent) {
  return { ...event, fraction: event.done != null && event.total ? Math.min(1, event.done / event.total) : null };
}

function progressOf(run: Run): RunProgressEvent {
  return {
    runId: run.id,
    done: run.progressDone,
    total: run.progressTotal,
    phase: run.progressPhase,
    rate: run.progressRate,
    etaSeconds: run.progressEtaSeconds,
    at: run.updatedAt.getTime(),
  };
}

export const subscriptionResolvers = {
  Subscription: {
    runUpdated: {
      async *subscribe(_, args, ctx) {
        for await (const event of ctx.events.subscribe("runUpdated", ctx.signal)) {
          if (!matches(event, args.filter)) continue;
          // Read the run fresh: the event names it, the row is the truth.
          const run = await ctx.services.runs.find(event.runId);
          if (run) yield { runUpdated: run };
        }
      },
    },
    runProgress: {
      async *subscribe(_, args, ctx) {
        const events = ctx.events.subscribe("runProgress", ctx.signal);
        const run = await ctx.services.runs.require(args.runId);
        yield { runProgress: withFraction(progressOf(run)) };
        for await (const event of events) {
          if (event.runId === args.runId) yield { runProgress: withFraction(event) };
        }
      },
    },
    metricLogged: {
      async *subscribe(_, args, ctx) {
        await ctx.services.runs.require(args.runId);
        for await (const event of ctx.events.subscribe("metricLogged", ctx.signal)) {
          if (event.runId === args.runId) yield { metricLogged: event };
        }
      },
    },
  } satisfies SubscriptionResolvers,
};
