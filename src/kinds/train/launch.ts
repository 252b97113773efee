// TRAIN's launch: the trainer and its params, the dataset to train on, the executor, and the
// run it would queue. A pipeline runs the trainer check at launch, before its dataset exists.
import type { Dataset, Prisma, Trainer } from "../../generated/prisma/client";
import { badInput } from "../../errors";
import type { ExecutorChoice } from "../../executors/executor";
import { optionValueMessage, paramUsedAsOption } from "../../runners/train/command-template";
import { assertJsonSize } from "../../services/json-bounds";
import type { RunPlan } from "../../services/run-plan";
import type { KindLaunchContext } from "../kind";
import { maxAttemptsOf } from "../shared/launch-checks";
import type { LaunchTrainingInput } from "./params";

/** A trainer and the params a TRAIN run with it gets (its defaults, overridden by the launch's). */
export interface TrainingSetup {
  trainer: Trainer;
  params: Record<string, unknown>;
  maxAttempts: number;
}

/** A JSON object (null: empty), bounded in size; BAD_USER_INPUT on `field` otherwise. */
export function jsonObject(field: string, value: unknown): Record<string, unknown> {
  if (value == null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw badInput(field, "must be a JSON object");
  assertJsonSize(field, value);
  return value as Record<string, unknown>;
}

/** Runs of one trainer on one dataset with the same params (seeds aside) are repeats of one configuration. */
export function defaultTrainingGroup(trainerName: string, datasetName: string, params: Record<string, unknown>): string {
  const keys = Object.keys(params).sort();
  const suffix = keys.length ? ` ${JSON.stringify(params, keys)}` : "";
  return `${trainerName} on ${datasetName}${suffix}`;
}

function executorColumns(choice: ExecutorChoice) {
  return { executor: choice.executor, resources: choice.resources as Prisma.InputJsonObject };
}

/** The dataset-independent checks of a TRAIN launch. */
export async function checkTrainer(input: Pick<LaunchTrainingInput, "trainerId" | "params" | "maxAttempts">, { stores }: Pick<KindLaunchContext, "stores">): Promise<TrainingSetup> {
  const [trainer] = await stores.trainers.byIds([input.trainerId]);
  if (!trainer) throw badInput("trainerId", `trainer ${JSON.stringify(input.trainerId)} does not exist`);
  const maxAttempts = maxAttemptsOf("maxAttempts", input.maxAttempts);
  const params = { ...jsonObject("trainer.defaultParams", trainer.defaultParams), ...jsonObject("params", input.params) };
  const asOption = paramUsedAsOption(trainer.command as string[], params);
  if (asOption) throw badInput(`params.${asOption.name}`, optionValueMessage(asOption));
  return { trainer, params, maxAttempts };
}

/** The dataset to train on: it exists and its folder is inside the data roots. */
export async function checkTrainingDataset(datasetId: string, { checks }: Pick<KindLaunchContext, "checks">): Promise<Dataset> {
  return (await checks.datasetFolder("datasetId", datasetId, { purpose: "to train on" })).dataset;
}

/** The TRAIN run of a checked setup on a checked dataset; `choice`: the executor and resources checked at launch (default: the kind's from config). */
export function trainingPlan(setup: TrainingSetup, dataset: Dataset, seed: number, group: string | null | undefined, { executors }: Pick<KindLaunchContext, "executors">, choice?: ExecutorChoice): RunPlan {
  if (!Number.isInteger(seed)) throw badInput("seed", "must be an integer");
  const { trainer, params } = setup;
  return {
    kind: "TRAIN",
    name: `${trainer.name} on ${dataset.name} (seed ${seed})`,
    params: params as Prisma.InputJsonObject,
    seed,
    group: group ?? defaultTrainingGroup(trainer.name, dataset.name, params),
    datasetId: dataset.id,
    transferMethodId: dataset.transferMethodId,
    trainerId: trainer.id,
    maxAttempts: setup.maxAttempts,
    ...executorColumns(choice ?? executors.defaultFor("TRAIN")),
  };
}

/** Every launch check of a TRAIN run, and the run it would queue; writes nothing. */
export async function planTraining(input: LaunchTrainingInput, context: KindLaunchContext): Promise<RunPlan> {
  const setup = await checkTrainer(input, context);
  const dataset = await checkTrainingDataset(input.datasetId, context);
  const choice = await context.executors.choose("TRAIN", input.executor, input.resources);
  return trainingPlan(setup, dataset, input.seed ?? 0, input.group, context, choice);
}
