// Which scope each root field needs, in one table, enforced for every HTTP and
// WebSocket operation by wrapping the root resolvers (src/graphql/schema.ts).
// Fields not listed fail closed: ADMIN for mutations, READ for the rest. Launching needs
// LAUNCH: launchRun, and each run kind's own launch mutations (read from the kind registry).
import type { TokenScope } from "../generated/prisma/enums";
import type { KindRegistry } from "../kinds/registry";
import type { GraphQLContext } from "./context";

type Requirement = TokenScope | "PUBLIC_READ";

interface FieldPolicy {
  scope: Requirement;
  /** For run-limited tokens: the run this call touches. */
  runOf?: (args: Record<string, unknown>) => unknown;
}

const MUTATIONS: Record<string, FieldPolicy> = {
  createRun: { scope: "WRITE" },
  updateRun: { scope: "WRITE", runOf: (args) => args.id },
  logMetrics: { scope: "WRITE", runOf: (args) => args.runId },
  // What the job executing a run reports (a remote job with its run token: its own run only).
  claimRun: { scope: "WRITE", runOf: (args) => args.runId },
  heartbeatRun: { scope: "WRITE", runOf: (args) => args.runId },
  appendRunLog: { scope: "WRITE", runOf: (args) => args.runId },
  recordRunProcess: { scope: "WRITE", runOf: (args) => args.runId },
  finishRun: { scope: "WRITE", runOf: (args) => args.runId },
  failRun: { scope: "WRITE", runOf: (args) => args.runId },
  requeueRun: { scope: "WRITE", runOf: (args) => args.runId },
  // Annotations of one's own runs; published results additionally need ADMIN (run-annotations-service).
  tagRun: { scope: "WRITE", runOf: (args) => args.id },
  setRunNotes: { scope: "WRITE", runOf: (args) => args.id },
  archiveRun: { scope: "WRITE", runOf: (args) => args.id },
  restoreRun: { scope: "WRITE", runOf: (args) => args.id },
  launchRun: { scope: "LAUNCH" },
  launchPipeline: { scope: "LAUNCH" },
  cancelRun: { scope: "LAUNCH" },
  cancelPipeline: { scope: "LAUNCH" },
  resumePipeline: { scope: "LAUNCH" },
  createDataset: { scope: "ADMIN" },
  registerTransferMethod: { scope: "ADMIN" },
  registerFaceModel: { scope: "ADMIN" },
  // Editing the catalogue needs what registering it needs.
  attachTransferMethodModel: { scope: "ADMIN" },
  setDatasetFolder: { scope: "ADMIN" },
  setDatasetDescription: { scope: "ADMIN" },
  setTransferMethodDescription: { scope: "ADMIN" },
  archiveDataset: { scope: "ADMIN" },
  restoreDataset: { scope: "ADMIN" },
  archiveTransferMethod: { scope: "ADMIN" },
  restoreTransferMethod: { scope: "ADMIN" },
  registerTrainer: { scope: "ADMIN" },
  importPublishedResults: { scope: "ADMIN" },
  createApiToken: { scope: "ADMIN" },
  revokeApiToken: { scope: "ADMIN" },
};

const QUERIES: Record<string, FieldPolicy> = {
  apiTokens: { scope: "ADMIN" },
};

/** The policy of every root field, with the launch mutations of the registry's kinds. */
export function createPolicies(kinds: KindRegistry) {
  const launches = kinds.list().flatMap((kind) => kind.launchMutations ?? []);
  const mutations: Record<string, FieldPolicy> = { ...Object.fromEntries(launches.map((field) => [field, { scope: "LAUNCH" as const }])), ...MUTATIONS };
  return (rootType: string, field: string): FieldPolicy => {
    if (rootType === "Mutation") return mutations[field] ?? { scope: "ADMIN" };
    return QUERIES[field] ?? { scope: "PUBLIC_READ" };
  };
}

type Resolver = (parent: unknown, args: Record<string, unknown>, ctx: GraphQLContext, info: unknown) => unknown;

function guard(policyFor: ReturnType<typeof createPolicies>, rootType: string, field: string, resolve: Resolver): Resolver {
  const policy = policyFor(rootType, field);
  return (parent, args, ctx, info) => {
    const runId = policy.runOf?.(args);
    ctx.services.auth.authorize(ctx.principal, policy.scope, field, typeof runId === "string" ? runId : null);
    return resolve(parent, args, ctx, info);
  };
}

/**
 * Whether a caller may run a Query field (with no run-limited argument) under its policy:
 * for an answer served without running the resolvers (src/graphql/kept-answers.ts).
 */
export function createQueryAccess(kinds: KindRegistry): (ctx: GraphQLContext, field: string) => boolean {
  const policyFor = createPolicies(kinds);
  return (ctx, field) => {
    const policy = policyFor("Query", field);
    if (policy.runOf) return false;
    try {
      ctx.services.auth.authorize(ctx.principal, policy.scope, field, null);
      return true;
    } catch {
      return false;
    }
  };
}

/** Wraps every Query/Mutation resolver and Subscription `subscribe` with its policy. */
export function withAuthorization<T extends Record<string, any>>(resolvers: T, kinds: KindRegistry): T {
  const policyFor = createPolicies(kinds);
  const wrapped: Record<string, any> = { ...resolvers };
  for (const rootType of ["Query", "Mutation"]) {
    wrapped[rootType] = Object.fromEntries(
      Object.entries(resolvers[rootType] ?? {}).map(([field, resolve]) => [field, guard(policyFor, rootType, field, resolve as Resolver)]),
    );
  }
  wrapped.Subscription = Object.fromEntries(
    Object.entries(resolvers.Subscription ?? {}).map(([field, value]) => {
      const { subscribe, ...rest } = value as { subscribe: Resolver };
      return [field, { ...rest, subscribe: guard(policyFor, "Subscription", field, subscribe) }];
    }),
  );
  return wrapped as T;
}
