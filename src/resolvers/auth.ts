// API tokens and the caller's identity: parse -> auth service -> shape.
import type { TokenScope } from "../generated/prisma/enums";
import type { GraphQLContext } from "../graphql/context";

type Ctx = GraphQLContext;

export const authResolvers = {
  Query: {
    viewer: (_: unknown, __: unknown, ctx: Ctx) => ({
      name: ctx.principal.name,
      scopes: [...ctx.principal.scopes],
      runId: ctx.principal.runId,
      authRequired: ctx.services.auth.settings.required,
    }),
    apiTokens: (_: unknown, __: unknown, ctx: Ctx) => ctx.services.auth.listTokens(),
  },
  Mutation: {
    async createApiToken(_: unknown, args: { input: { name: string; scopes: TokenScope[]; expiresInDays?: number | null } }, ctx: Ctx) {
      const { secret, record } = await ctx.services.auth.createToken(args.input);
      return { token: secret, apiToken: record };
    },
    revokeApiToken: (_: unknown, args: { id: string }, ctx: Ctx) => ctx.services.auth.revokeToken(args.id),
  },
};
