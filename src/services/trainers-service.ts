// Registering trainers; launching TRAIN runs with them is the TRAIN kind's (src/kinds/train).
import { stat } from "node:fs/promises";
import path from "node:path";
import type { Stores } from "../db/stores";
import type { Dataset, Prisma, Run } from "../generated/prisma/client";
import { badInput, conflict } from "../errors";
import { isEmbeddingSpec } from "../models/input-spec";
import { TemplateError, checkPlaceholders, splitCommandLine } from "../runners/train/command-template";
import { parseInputSpec } from "./input-spec-validation";
import { isUniqueViolation } from "./prisma-errors";
import type { KindLaunchContext } from "../kinds/kind";
import { checkTrainer, checkTrainingDataset, jsonObject, trainingPlan, type TrainingSetup } from "../kinds/train/launch";
import type { LaunchTrainingInput } from "../kinds/train/params";
import type { RunLauncher } from "./run-launcher";
import type { ExecutorChoice } from "../executors/executor";

export type { LaunchTrainingInput } from "../kinds/train/params";
export { defaultTrainingGroup, type TrainingSetup } from "../kinds/train/launch";

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

function stringRecord(field: string, value: unknown): Record<string, string> {
  if (value == null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw badInput(field, "must be a JSON object");
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== "string") throw badInput(`${field}.${key}`, "must be a string");
  }
  return value as Record<string, string>;
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

export function createTrainersService(stores: Stores, launcher: RunLauncher, context: KindLaunchContext) {
  return {
    /** TRAIN's launch steps (src/kinds/train), for pipelines. */
    checkTrainer: (input: Pick<LaunchTrainingInput, "trainerId" | "params" | "maxAttempts">) => checkTrainer(input, context),
    checkTrainingDataset: (datasetId: string) => checkTrainingDataset(datasetId, context),
    trainingPlan: (setup: TrainingSetup, dataset: Dataset, seed: number, group: string | null | undefined, choice?: ExecutorChoice) => trainingPlan(setup, dataset, seed, group, context, choice),
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
      return (await launcher.launch("TRAIN", input))[0]!;
    },
  };
}

export type TrainersService = ReturnType<typeof createTrainersService>;
