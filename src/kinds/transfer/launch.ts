// TRANSFER's launch: every check up front (so a bad launch fails now, with a message, not later
// on a worker) and the run it would queue; queueTransfer claims the output name in the launch's
// transaction.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import path from "node:path";
import type { BoundStores } from "../../db/stores";
import type { Prisma, Run } from "../../generated/prisma/client";
import { AppError, badInput } from "../../errors";
import { executorColumns } from "../../executors/executor-registry";
import { isImageToImageSpec, parseModelInputSpec, specOptionNames } from "../../models/input-spec";
import { resolveTransferOptions } from "../../runners/transfer/transfer-options";
import { TransferOptionError } from "../../runners/transfer/errors";
import { archivedMessage } from "../../services/archived";
import { queuePlannedRun, type RunPlan } from "../../services/run-plan";
import type { KindLaunchContext } from "../kind";
import { maxAttemptsOf } from "../shared/launch-checks";
import type { LaunchTransferInput, TransferRunParams } from "./params";

const OUTPUT_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;

/** "sha256:" + the first 16 hex digits of the file's SHA-256 (streamed: models are hundreds of MB). */
async function modelVersionOf(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest("hex").slice(0, 16)}`;
}

function numberRecord(field: string, value: unknown): Record<string, number> {
  if (value == null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw badInput(field, "must be a JSON object of numbers");
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== "number" || !Number.isFinite(v)) throw badInput(`${field}.${key}`, `must be a finite number, got ${JSON.stringify(v)}`);
  }
  return value as Record<string, number>;
}

/** No dataset has the name and no queued or running transfer will register it. */
async function assertOutputNameFree(stores: Pick<BoundStores, "catalogue" | "runs">, outputName: string): Promise<void> {
  if (await stores.catalogue.datasetByName(outputName)) {
    throw new AppError("CONFLICT", `options.outputName: a dataset named ${JSON.stringify(outputName)} already exists; choose another name`, "options.outputName");
  }
  const writer = await stores.runs.activeTransferTo(outputName);
  if (writer) {
    throw new AppError("CONFLICT", `options.outputName: transfer run ${writer.id} (${writer.status}) already writes ${JSON.stringify(outputName)}; choose another name`, "options.outputName");
  }
}

/**
 * Queues a planned TRANSFER inside the caller's transaction, claiming its output name: under a
 * lock on the name the check is repeated, so two launches racing for one name cannot both win.
 */
export async function queueTransfer(tx: BoundStores, plan: RunPlan, extra: { pipelineId?: string | null; group?: string | null } = {}): Promise<Run> {
  const { outputName } = plan.params as unknown as TransferRunParams;
  await tx.lockUntilCommit(`transfer-output:${outputName}`);
  await assertOutputNameFree(tx, outputName);
  return queuePlannedRun(tx, plan, extra);
}

/** Every launch check of a TRANSFER, and the run it would queue; writes nothing. */
export async function planTransfer(input: LaunchTransferInput, { stores, paths, checks, executors }: KindLaunchContext): Promise<RunPlan> {
  const options: NonNullable<LaunchTransferInput["options"]> = input.options ?? {};
  const { dataset, dir: sourceDir } = await checks.datasetFolder("datasetId", input.datasetId, { purpose: "to read images from" });
  const [method] = await stores.catalogue.methodsByIds([input.methodId]);
  if (!method) throw badInput("methodId", `transfer method ${JSON.stringify(input.methodId)} does not exist`);
  if (method.archivedAt) throw badInput("methodId", archivedMessage("transfer method", method.name, "restoreTransferMethod"));
  if (!method.modelPath || !method.inputSpec) {
    throw badInput("methodId", `transfer method ${method.name} has no ONNX model yet; attach one with attachTransferMethodModel (CLI: realismlab methods attach-model)`);
  }
  const modelFile = await paths.resolveExisting("methodId", method.modelPath, "file");
  const spec = parseModelInputSpec(method.inputSpec);
  if (!isImageToImageSpec(spec)) throw badInput("methodId", `transfer method ${method.name}'s model does not output images`);

  // The method's catalogue defaults apply where this export reads the option;
  // options given at launch must all be known to the model (checked below).
  const known = new Set(specOptionNames(spec));
  const defaults = Object.entries(numberRecord("method.defaultOptions", method.defaultOptions)).filter(([k]) => known.has(k));
  const methodOptions: Record<string, number> = {
    ...Object.fromEntries(defaults),
    ...numberRecord("options.methodOptions", options.methodOptions),
    ...(options.fidelityWeight != null ? { fidelityWeight: options.fidelityWeight } : {}),
    ...(options.steps != null ? { steps: options.steps } : {}),
  };
  const seed = options.seed ?? 0;
  const transferOptions = {
    batchSize: options.batchSize ?? 8,
    ...(options.limit != null ? { limit: options.limit } : {}),
    maxFailureShare: options.maxFailureShare ?? 0.01,
    seed,
    methodOptions,
  };
  try {
    resolveTransferOptions(spec, transferOptions);
  } catch (error) {
    if (error instanceof TransferOptionError) throw badInput(`options.${error.option}`, error.message);
    throw error;
  }
  const outputName = options.outputName?.trim() || `${dataset.name}-${method.name}`.replace(/[^A-Za-z0-9._+-]+/g, "-");
  if (!OUTPUT_NAME.test(outputName)) {
    throw badInput("options.outputName", "must be 1-128 letters, digits, '.', '_', '+' or '-', starting with a letter or digit");
  }
  await assertOutputNameFree(stores, outputName);
  const outputDir = await paths.resolveNew("options.outputName", path.join(paths.roots[0]!, "transfers", outputName));
  const maxAttempts = maxAttemptsOf("options.maxAttempts", options.maxAttempts);
  const params: TransferRunParams = {
    outputName,
    outputDir,
    batchSize: transferOptions.batchSize,
    limit: options.limit ?? null,
    maxFailureShare: transferOptions.maxFailureShare,
    methodOptions,
    sourceDir,
    // Which model this transfer ran (run config transfer.modelVersion): replacing a
    // method's ONNX file makes a new configuration.
    modelVersion: await modelVersionOf(modelFile),
  };
  const choice = await executors.choose("TRANSFER", input.executor, input.resources);
  return {
    ...executorColumns(choice),
    kind: "TRANSFER",
    name: `${method.name} on ${dataset.name}`,
    params: params as unknown as Prisma.InputJsonObject,
    seed,
    group: options.group ?? null,
    datasetId: dataset.id,
    transferMethodId: method.id,
    maxAttempts,
  };
}
