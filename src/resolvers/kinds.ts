// Run kinds: the registry's list, and launching a run of any kind: parse -> run launcher -> runs.
import type { MutationResolvers, QueryResolvers, RunKind } from "../generated/graphql/resolvers";

export const kindResolvers = {
  Query: {
    // The generated RunKind names the kinds registered when types were generated; the registry
    // may hold more (extra kinds given to startApp), and the enum the server runs lists them all.
    runKinds: (_, __, ctx) =>
      ctx.services.kinds.list().map((k) => ({ name: k.name as RunKind, label: k.label, description: k.description, runnable: Boolean(k.job) })),
  } satisfies QueryResolvers,
  Mutation: {
    launchRun: (_, args, ctx) => ctx.services.launcher.launch(args.kind, args.params),
  } satisfies MutationResolvers,
};
