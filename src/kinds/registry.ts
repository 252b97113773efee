// The one list of run kinds. The worker's job table, config's WORKER_KINDS, authorization, the
// GraphQL RunKind enum (src/graphql/schema.ts), the generic launchRun mutation, the runKinds
// query (read by the dashboard and the CLI) all read it. A new kind: a folder in src/kinds/ and
// a line in BUILT_IN_KINDS (or, for a plug-in or a test, `kinds` in startApp's options).
import { badInput } from "../errors";
import type { RunJob } from "../worker/jobs/job";
import { datasetQualityKind } from "./dataset-quality";
import { evaluateKind } from "./evaluate";
import { RUN_KIND_NAME, type RunKind, type RunKindModule } from "./kind";
import { trainKind } from "./train";
import { transferKind } from "./transfer";

export const BUILT_IN_KINDS: readonly RunKindModule[] = [transferKind, trainKind, evaluateKind, datasetQualityKind];

export interface KindRegistry {
  /** Every kind, built-in first, in a stable order. */
  list(): readonly RunKindModule[];
  names(): RunKind[];
  get(name: string): RunKindModule | undefined;
  /** The kind, or BAD_USER_INPUT on `field` naming the known ones. */
  require(name: string, field?: string): RunKindModule;
}

export function createKindRegistry(extra: readonly RunKindModule[] = []): KindRegistry {
  const byName = new Map<string, RunKindModule>();
  for (const kind of [...BUILT_IN_KINDS, ...extra]) {
    if (!RUN_KIND_NAME.test(kind.name)) throw new Error(`run kind ${JSON.stringify(kind.name)}: a name is 1-40 upper-case letters, digits or '_', starting with a letter`);
    if (byName.has(kind.name)) throw new Error(`run kind ${kind.name} is registered twice`);
    byName.set(kind.name, kind);
  }
  const list = [...byName.values()];
  return {
    list: () => list,
    names: () => list.map((k) => k.name),
    get: (name) => byName.get(name),
    require(name, field = "kind") {
      const kind = byName.get(name);
      if (!kind) throw badInput(field, `unknown run kind ${JSON.stringify(name)} (known: ${[...byName.keys()].join(", ")})`);
      return kind;
    },
  };
}

/** The worker's job table: each runnable kind's job, by kind name. */
export function jobsByKind(kinds: KindRegistry): Record<RunKind, RunJob> {
  return Object.fromEntries(kinds.list().flatMap((k) => (k.job ? [[k.name, k.job] as const] : [])));
}

/**
 * The kinds a worker takes: WORKER_KINDS checked against the registry, or every runnable kind
 * when it is unset. Throws naming the unknown ones and the known ones.
 */
export function workerKinds(configured: readonly string[] | undefined, kinds: KindRegistry): RunKind[] {
  const runnable = kinds.list().filter((k) => k.job).map((k) => k.name);
  if (!configured) return runnable;
  const unknown = configured.filter((name) => !runnable.includes(name));
  if (unknown.length) throw new Error(`WORKER_KINDS: ${unknown.join(", ")} is not a run kind a worker runs (known: ${runnable.join(", ")})`);
  return [...configured];
}

/** EXECUTOR_<KIND> / RESOURCES_<KIND> must name registered kinds: a typo fails at start, naming the known ones. */
export function checkExecutorKinds(configured: readonly string[], kinds: KindRegistry): void {
  const known = kinds.list().map((k) => k.name);
  const unknown = configured.filter((name) => !known.includes(name));
  if (unknown.length) throw new Error(`EXECUTOR_<KIND> / RESOURCES_<KIND>: ${unknown.join(", ")} is not a run kind (known: ${known.join(", ")})`);
}
