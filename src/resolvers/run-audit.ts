// A run's audit trail: parse -> store -> shape. Readable by whoever may read the run.
import { badInput } from "../errors";
import type { RunResolvers } from "../generated/graphql/resolvers";

const MAX_EVENTS = 500;

export const runAuditResolvers = {
  Run: {
    async auditEvents(run, args, ctx) {
      if (!Number.isInteger(args.last) || args.last < 1 || args.last > MAX_EVENTS) throw badInput("last", `must be between 1 and ${MAX_EVENTS}`);
      const rows = await ctx.services.stores.audit.forRun(run.id, args.last);
      return rows.map((e) => ({ id: e.id.toString(), actor: e.actor, tokenId: e.tokenId, action: e.action, changes: e.changes, at: e.createdAt }));
    },
  } satisfies RunResolvers,
};
