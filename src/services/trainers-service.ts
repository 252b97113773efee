// Registering trainers and launching TRAIN runs with them.
import { stat } from "node:fs/promises";
import path from "node:path";
import type { Stores } from "../db/stores";
import type { Dataset, Prisma, Run, Trainer } from "../generated/prisma/client";
import { badInput, conflict } from "../errors";
import { isEmbeddingSpec } from "../models/input-spec";
import { TemplateError, checkPlaceholders, optionValueMessage, paramUsedAsOption, splitCommandLine } from "../runners/train/command-template";
import type { CatalogueService } from "./catalogue-service";
import type { DataPaths } from "./data-paths";
import { parseInputSpec } from "./input-spec-validation";
import { archivedMessage } from "./archived";
import { isUniqueViolation } from "./prisma-errors";
import { queuePlannedRun, type RunPlan } from "./run-plan";
import { jsonObject } from "./json-bounds";
import type { ExecutorRegistry } from "../executors/executor-registry";
import type { ExecutorChoice } from "../executors/executor";

export interface RegisterTrainerInput {
  name: string;
  command?: string[] | null;
  commandLine?: string | null;
  workingDirectory: string;
  environment?: unknown;
  modelOutput: string;
  inputSpec: unknown;
  backbone: string;
  head: string;
  defaultParams?: unknown;
}

export interface LaunchTrainingInput {
  datasetId: string;
  trainerId: string;
  seed?: number | null;
  params?: unknown;
  group?: string | null;
  maxAttempts?: number | null;
  /** Overrides the kind's configured executor ("local", "slurm"). */
  executor?: string | null;
  /** gpus, cpus, memoryGb, timeLimit, partition; over the kind's defaults. */
  resources?: unknown;
}

function executorColumns(choice: ExecutorChoice) {
  return { executor: choice.executor, resources: choice.resources as Prisma.InputJsonObject };
}

function stringRecord(field: string, value: unknown): Record<string, string> {
  if (value == null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw badInput(field, "must be a JSON object");
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== "string") throw badInput(`${field}.${key}`, "must be a string");
  }
  return value as Record<string, string>;
}

/** Runs of one trainer on one dataset with the same params (seeds aside) are repeats of one configuration. */
export function defaultTrainingGroup(trainerName: string, datasetName: string, params: Record<string, unknown>): string {
  const keys = Object.keys(params).sort();
  const suffix = keys.length ? ` ${JSON.stringify(params, keys)}` : "";
  return `${trainerName} on ${datasetName}${suffix}`;
}

/** What a trainer's environment values read as for callers without ADMIN. */
export const MASKED_VALUE = "********";

/**
 * A trainer's environment as `admin` may see it: values (API keys, passwords) are
 * secrets that only ADMIN reads; everyone else sees which variables are set.
 */
export function visibleEnvironment(environment: unknown, admin: boolean): Record<string, string> {
  const env = (environment ?? {}) as Record<string, string>;
  return admin ? env : Object.fromEntries(Object.keys(env).map((key) => [key, MASKED_VALUE]));
}

/** A trainer and the params a TRAIN run with it gets (its defaults, overridden by the launch's). */
export interface TrainingSetup {
  trainer: Trainer;
  params: Record<string, unknown>;
  maxAttempts: number;
}

export function createTrainersService(stores: Stores, catalogue: CatalogueService, paths: DataPaths, executors: ExecutorRegistry) {
  /** The dataset-independent checks of a TRAIN launch (a pipeline runs them before its dataset exists). */
  async function checkTrainer(input: Pick<LaunchTrainingInput, "trainerId" | "params" | "maxAttempts">): Promise<TrainingSetup> {
    const [trainer] = await stores.trainers.byIds([input.trainerId]);
    if (!trainer) throw badInput("trainerId", `trainer ${JSON.stringify(input.trainerId)} does not exist`);
    const maxAttempts = input.maxAttempts ?? 1;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 10) throw badInput("maxAttempts", "must be an integer in [1, 10]");
    const params = { ...jsonObject("trainer.defaultParams", trainer.defaultParams), ...jsonObject("params", input.params) };
    const asOption = paramUsedAsOption(trainer.command as string[], params);
    if (asOption) throw badInput(`params.${asOption.name}`, optionValueMessage(asOption));
    return { trainer, params, maxAttempts };
  }

  /** The dataset to train on: it exists and its folder is inside the data roots. */
  async function checkTrainingDataset(datasetId: string): Promise<Dataset> {
    const dataset = await catalogue.datasetByIdOrName(datasetId);
    if (!dataset) throw badInput("datasetId", `dataset ${JSON.stringify(datasetId)} does not exist`);
    if (dataset.archivedAt) throw badInput("datasetId", archivedMessage("dataset", dataset.name, "restoreDataset"));
    if (!dataset.uri) throw badInput("datasetId", `dataset ${dataset.name} has no folder (uri) to train on`);
    await paths.resolveExisting("datasetId", dataset.uri, "directory");
    return dataset;
  }

  function trainingPlan(setup: TrainingSetup, dataset: Dataset, seed: number, group: string | null | undefined): RunPlan {
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
      ...executorColumns(executors.defaultFor("TRAIN")),
    };
  }

  /** Every launch check of a TRAIN run, and the run it would queue; writes nothing. */
  async function planTraining(input: LaunchTrainingInput): Promise<RunPlan> {
    const setup = await checkTrainer(input);
    const dataset = await checkTrainingDataset(input.datasetId);
    const choice = await executors.choose("TRAIN", input.executor, input.resources);
    return { ...trainingPlan(setup, dataset, input.seed ?? 0, input.group), ...executorColumns(choice) };
  }

  return {
    checkTrainer,
    checkTrainingDataset,
    trainingPlan,
    planTraining,
    list: () => stores.trainers.list(),

    async register(input: RegisterTrainerInput) {
      const name = input.name.trim();
      if (!name) throw badInput("name", "must not be empty");
      if (!input.command?.length === !input.commandLine) throw badInput("command", "give exactly one of command (argv list) or commandLine");
      let command: string[];
      try {
        command = input.command?.length ? input.command : splitCommandLine(input.commandLine!);
        if (!command.length || !command[0]) throw new TemplateError("is empty");
        checkPlaceholders([...command, input.modelOutput]);
      } catch (error) {
        if (error instanceof TemplateError) throw badInput(input.command ? "command" : "commandLine", error.message);
        throw error;
      }
      if (!input.modelOutput.includes("{outputDir}")) {
        throw badInput("modelOutput", "must be inside the run's output folder, e.g. \"{outputDir}/model.onnx\"");
      }
      if (!path.isAbsolute(input.workingDirectory) || !(await stat(input.workingDirectory).then((s) => s.isDirectory(), () => false))) {
        throw badInput("workingDirectory", `${JSON.stringify(input.workingDirectory)} is not an existing absolute folder`);
      }
      const inputSpec = parseInputSpec("inputSpec", input.inputSpec);
      if (!isEmbeddingSpec(inputSpec)) throw badInput("inputSpec", "a trainer exports an embedding model: output.kind must be \"embedding\"");
      try {
        return await stores.trainers.create({
          name,
          command,
          workingDirectory: input.workingDirectory,
          environment: stringRecord("environment", input.environment),
          modelOutput: input.modelOutput,
          inputSpec: inputSpec as Prisma.InputJsonObject,
          backbone: input.backbone,
          head: input.head,
          defaultParams: jsonObject("defaultParams", input.defaultParams) as Prisma.InputJsonObject,
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw conflict(`a trainer named ${JSON.stringify(name)} already exists`);
        throw error;
      }
    },

    async launchTraining(input: LaunchTrainingInput): Promise<Run> {
      const plan = await planTraining(input);
      const run = await stores.transaction((tx) => queuePlannedRun(tx, plan));
      executors.kick(); // a Slurm run is submitted now rather than at the next poll
      return run;
    },
  };
}

export type TrainersService = ReturnType<typeof createTrainersService>;
