// The executors of this process, the choice per run kind (config) or per launch
// (override), and the loop that reconciles the non-local ones on start and every poll.
import type { Prisma } from "../generated/prisma/client";
import type { RunKind } from "../domain/run-kind";
import { badInput } from "../errors";
import type { Executor, ExecutorChoice, ExecutorDefaults, ExecutorName, RunResources } from "./executor";
import { EXECUTOR_NAMES, LOCAL_CHOICE } from "./executor";
import { parseResources } from "./resources";

export interface ExecutorRegistry {
  /** The executor and resources of a new run of `kind`, checked (BAD_USER_INPUT naming the field). */
  choose(kind: RunKind, executor: string | null | undefined, resources: unknown): Promise<ExecutorChoice>;
  get(name: string): Executor | undefined;
  /** The kind's configured executor and resources (runs a pipeline queues later). */
  defaultFor(kind: RunKind): ExecutorChoice;
  /** Starts reconciling: now (runs that ran on while the API was down) and every poll. */
  start(): void;
  /** Reconciles now (after a launch, so a Slurm run is submitted without waiting for the poll). */
  kick(): void;
  stop(): void;
}

/** The run columns of a choice (a RunPlan's executor and resources). */
export function executorColumns(choice: ExecutorChoice) {
  return { executor: choice.executor, resources: choice.resources as Prisma.InputJsonObject };
}

export function createExecutorRegistry(executors: Executor[], defaults: ExecutorDefaults, pollMs: number, log: (message: string) => void): ExecutorRegistry {
  const byName = new Map(executors.map((e) => [e.name, e]));
  let running: Promise<void> | null = null;
  let again = false;
  const reconcileAll = () => {
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        for (const executor of executors) await executor.reconcile().catch((error) => log(`${executor.name} executor: ${(error as Error).message}`));
      } while (again);
    })().finally(() => {
      running = null;
    });
  };
  const remote = executors.some((e) => e.name !== "local");
  let timer: NodeJS.Timeout | null = null;

  return {
    async choose(kind, executor, resources) {
      const fallback = defaults[kind] ?? LOCAL_CHOICE;
      const name = (executor ?? fallback.executor) as ExecutorName;
      if (!(EXECUTOR_NAMES as readonly string[]).includes(name)) throw badInput("executor", `must be one of ${EXECUTOR_NAMES.join(", ")}`);
      const chosen = byName.get(name);
      if (!chosen) throw badInput("executor", `the ${name} executor is not configured on this server`);
      const merged: RunResources = { ...fallback.resources, ...parseResources(resources) };
      await chosen.checkResources(merged);
      return { executor: name, resources: merged };
    },
    get: (name) => byName.get(name as ExecutorName),
    defaultFor: (kind) => defaults[kind] ?? LOCAL_CHOICE,
    start() {
      if (!remote || timer) return;
      timer = setInterval(reconcileAll, pollMs);
      timer.unref();
      reconcileAll();
    },
    kick: () => {
      if (timer) reconcileAll();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
      for (const executor of executors) executor.close?.();
    },
  };
}
