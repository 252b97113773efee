// A run's audit trail: parse -> store -> shape. Readable by whoever may read the run.
import type { Run } from "../generated/prisma/client";
import type { GraphQLContext } from "../graphql/context";
import { badInput } from "../errors";

const MAX_EVENTS = 500;

export const runAuditResolvers = {
  Run: {
    async auditEvents(run: Run, args: { last: number }, ctx: GraphQLContext) {
      if (!Number.isInteger(args.last) || args.last < 1 || args.last > MAX_EVENTS) throw badInput("last", `must be between 1 and ${MAX_EVENTS}`);
      const rows = await ctx.services.stores.audit.forRun(run.id, args.last);
      return rows.map((e) => ({ id: e.id.toString(), actor: e.actor, tokenId: e.tokenId, action: e.action, changes: e.changes, at: e.createdAt }));
    },
  },
};
