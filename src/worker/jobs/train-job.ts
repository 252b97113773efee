// A TRAIN run: start the registered trainer's command (no shell) with the run's
// values, stream its output into the run log, read its progress and metrics
// lines, and on exit 0 with an exported model register it as a FaceModel.
import { access, mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { optionValueMessage, paramUsedAsOption, renderTemplate, templateValues } from "../../runners/train/command-template";
import { stopPreviousAttempt } from "../../runners/train/previous-attempt";
import { trainerEnvironment } from "../../runners/train/trainer-environment";
import { parseTrainerLine } from "../../runners/train/trainer-output";
import { runTrainerProcess } from "../../runners/train/trainer-process";
import { workerActor } from "../../services/actor";
import { createLogWriter } from "../log-writer";
import type { JobContext, JobOutcome } from "./job";

const ERROR_TAIL_LINES = 20;

export async function runTrainJob({ run, signal, progress, services, settings, identity }: JobContext): Promise<JobOutcome> {
  const { stores } = services;
  const [trainer] = await stores.trainers.byIds([run.trainerId!]);
  const [dataset] = await stores.catalogue.datasetsByIds([run.datasetId!]);
  if (!trainer || !dataset?.uri) throw new Error("the run's trainer or dataset (with a folder) no longer exists");
  // The dataset was checked when it was registered; its folder may have changed since.
  const datasetPath = await services.dataPaths.resolveExisting("dataset.uri", dataset.uri, "directory");
  const outputDir = await services.dataPaths.resolveNew("outputDir", path.join(services.dataPaths.roots[0]!, "models", run.id));
  await mkdir(outputDir, { recursive: true });

  const params = (run.params ?? {}) as Record<string, unknown>;
  const asOption = paramUsedAsOption(trainer.command as string[], params); // checked at launch; the trainer may have changed
  if (asOption) throw new Error(`params.${asOption.name}: ${optionValueMessage(asOption)}`);
  const values = templateValues(
    { datasetPath, datasetName: dataset.name, outputDir, seed: String(run.seed ?? 0), runId: run.id, apiUrl: settings.apiUrl },
    params,
  );
  const argv = (trainer.command as string[]).map((arg) => renderTemplate(arg, values));
  const modelPath = renderTemplate(trainer.modelOutput, values);

  const log = createLogWriter(stores, run.id);
  log.write("system", `$ ${argv.map((a) => JSON.stringify(a)).join(" ")}  (in ${trainer.workingDirectory})`);
  let malformed = 0;
  const metricWrites: Promise<unknown>[] = [];
  await stopPreviousAttempt(run, (message) => log.write("system", message)).catch(async (error) => {
    await log.close();
    throw error;
  });
  let recorded: Promise<unknown> = Promise.resolve();
  const exit = await runTrainerProcess({
    argv,
    cwd: trainer.workingDirectory,
    env: trainerEnvironment(process.env, settings.trainerEnvAllow, trainer.environment as Record<string, string>, {
      REALISMLAB_RUN_ID: run.id,
      REALISMLAB_API_URL: settings.apiUrl,
      ...(settings.runToken ? { REALISMLAB_TOKEN: await settings.runToken(run.id) } : {}),
    }),
    signal,
    killGraceMs: settings.trainerKillGraceMs,
    onStart(processGroup) {
      // (.then starts it at once: a Prisma query does not run until something awaits it.)
      recorded = stores.runs.recordProcess(run.id, processGroup, os.hostname()).then(
        () => undefined,
        (error) => log.write("system", `could not record the trainer's process group: ${(error as Error).message}`),
      );
    },
    onLine(stream, line) {
      log.write(stream, line);
      const parsed = parseTrainerLine(line);
      if (parsed.kind === "progress") {
        progress.report({ done: parsed.progress.done, total: parsed.progress.total ?? null, phase: parsed.progress.phase ?? "training" });
      } else if (parsed.kind === "metrics") {
        // Same idempotent path as the API's logMetrics: a point the trainer also
        // sent itself is not stored twice.
        metricWrites.push(services.metrics.log(run.id, parsed.metrics, workerActor(identity.name)).catch((error) => log.write("system", `metrics ignored: ${(error as Error).message}`)));
      } else if (parsed.kind === "malformed") {
        malformed++;
        log.write("system", `ignored a malformed trainer line (${parsed.reason})`);
      }
    },
  });
  await Promise.all(metricWrites);
  await recorded;
  await stores.runs.recordProcess(run.id, null, null); // this attempt's trainer is gone
  log.write("system", `trainer exited with ${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`}`);
  await log.close();

  if (exit.aborted) throw new Error("the trainer was stopped");
  if (exit.code !== 0) {
    throw new Error(`trainer exited with ${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`}; last lines:\n${log.tail(ERROR_TAIL_LINES).join("\n")}`);
  }
  const exported = await services.dataPaths.resolveExisting("modelOutput", modelPath, "file").catch(() => null);
  if (!exported || !(await access(exported).then(() => true, () => false))) {
    throw new Error(`trainer exited 0 but left no model at ${modelPath} (inside the data roots)`);
  }
  const [existing] = await stores.catalogue.faceModelsByProducingRunIds([run.id]);
  const faceModel =
    existing ??
    (await services.catalogue.registerFaceModel({
      name: `${trainer.name}-${dataset.name}-${run.id.slice(0, 8)}`,
      backbone: trainer.backbone,
      head: trainer.head,
      trainedOnId: dataset.id,
      producedByRunId: run.id,
      modelPath: exported,
      inputSpec: trainer.inputSpec,
    }));
  return { details: { faceModelId: faceModel.id, modelPath: exported, exitCode: exit.code, malformedLines: malformed } };
}
