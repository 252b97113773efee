// What a run kind is, as one module: its name and the words people see, the params a launch
// takes (a zod schema), how a launch is checked and planned, and the worker job that runs it.
// Every kind lives in src/kinds/<kind>/ and is listed in src/kinds/registry.ts.
import type { z } from "zod";
import type { BoundStores, Stores } from "../db/stores";
import type { ExecutorRegistry } from "../executors/executor-registry";
import type { Run } from "../generated/prisma/client";
import type { DataPaths } from "../services/data-paths";
import type { RunPlan } from "../services/run-plan";
import type { RunJob } from "../worker/jobs/job";
import type { LaunchChecks } from "./shared/launch-checks";

export { RUN_KIND_NAME, type RunKind } from "../domain/run-kind";
import type { RunKind } from "../domain/run-kind";

/** What a kind's launch may use: the stores, the data roots, the executors and the shared checks. */
export interface KindLaunchContext {
  stores: Stores;
  paths: DataPaths;
  executors: ExecutorRegistry;
  checks: LaunchChecks;
}

export interface RunKindModule<Params = any> {
  /** TRANSFER, TRAIN, ...: stored in run.kind, a value of the GraphQL enum RunKind. */
  name: RunKind;
  /** A short label for people ("Dataset quality"). */
  label: string;
  /** One sentence: what a run of this kind does (the enum value's description too). */
  description: string;
  /** The params `launchRun(kind, params)` takes, bounded; parsed before `plan` sees them. */
  params: z.ZodType<Params>;
  /** Every launch check, and the runs the launch would queue; writes nothing. */
  plan(params: Params, context: KindLaunchContext): Promise<RunPlan[]>;
  /** Queues one planned run inside the launch's transaction (default: row + job, as planned). */
  queue?(tx: BoundStores, plan: RunPlan): Promise<Run>;
  /** The worker's job for runs of this kind; none: its runs are only tracked (createRun). */
  job?: RunJob;
  /** Mutations of its own, besides launchRun, that launch it (authorization gives them LAUNCH). */
  launchMutations?: readonly string[];
}

/** Declares a kind module with its params type inferred from the schema. */
export function defineKind<Schema extends z.ZodType>(kind: RunKindModule<z.infer<Schema>> & { params: Schema }): RunKindModule<z.infer<Schema>> {
  return kind;
}
