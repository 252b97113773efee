// API tokens and the caller's identity: parse -> auth service -> shape.
import type { MutationResolvers, QueryResolvers } from "../generated/graphql/resolvers";

export const authResolvers = {
  Query: {
    viewer: (_, __, ctx) => ({
      name: ctx.principal.name,
      scopes: [...ctx.principal.scopes],
      runId: ctx.principal.runId,
      authRequired: ctx.services.auth.settings.required,
    }),
    apiTokens: (_, __, ctx) => ctx.services.auth.listTokens(),
  } satisfies QueryResolvers,
  Mutation: {
    async createApiToken(_, args, ctx) {
      const { secret, record } = await ctx.services.auth.createToken(args.input);
      return { token: secret, apiToken: record };
    },
    revokeApiToken: (_, args, ctx) => ctx.services.auth.revokeToken(args.id),
  } satisfies MutationResolvers,
};
