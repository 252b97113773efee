// Run kinds: the registry's list, and launching a run of any kind: parse -> run launcher -> runs.
import type { GraphQLContext } from "../graphql/context";

export const kindResolvers = {
  Query: {
    runKinds: (_: unknown, __: unknown, ctx: GraphQLContext) =>
      ctx.services.kinds.list().map((k) => ({ name: k.name, label: k.label, description: k.description, runnable: Boolean(k.job) })),
  },
  Mutation: {
    launchRun: (_: unknown, args: { kind: string; params: unknown }, ctx: GraphQLContext) => ctx.services.launcher.launch(args.kind, args.params),
  },
};
