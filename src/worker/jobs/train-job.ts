// A TRAIN run: start the registered trainer's command (no shell) with the run's
// values, stream its output into the run log, read its progress and metrics
// lines, and on exit 0 with an exported model return it (registered as a FaceModel with
// the outcome).
import { access, mkdir, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { optionValueMessage, paramUsedAsOption, renderTemplate, templateValues } from "../../runners/train/command-template";
import { stopPreviousAttempt } from "../../runners/train/previous-attempt";
import { trainerEnvironment } from "../../runners/train/trainer-environment";
import { parseTrainerLine } from "../../runners/train/trainer-output";
import { runTrainerProcess } from "../../runners/train/trainer-process";
import type { JobContext, RunOutcome } from "./job";

const ERROR_TAIL_LINES = 20;

export async function runTrainJob({ run, signal, progress, log, logMetrics, recordProcess, runToken, lookups, paths, settings }: JobContext): Promise<RunOutcome> {
  const trainer = run.trainerId ? await lookups.trainer(run.trainerId) : null;
  const dataset = run.datasetId ? await lookups.dataset(run.datasetId) : null;
  if (!trainer || !dataset?.uri) throw new Error("the run's trainer or dataset (with a folder) no longer exists");
  // The dataset was checked when it was registered; its folder may have changed since.
  const datasetPath = await paths.resolveExisting("dataset.uri", dataset.uri, "directory");
  const outputDir = await paths.resolveNew("outputDir", path.join(paths.roots[0]!, "models", run.id));
  await mkdir(outputDir, { recursive: true });

  const params = (run.params ?? {}) as Record<string, unknown>;
  const asOption = paramUsedAsOption(trainer.command, params); // checked at launch; the trainer may have changed
  if (asOption) throw new Error(`params.${asOption.name}: ${optionValueMessage(asOption)}`);
  const values = templateValues(
    { datasetPath, datasetName: dataset.name, outputDir, seed: String(run.seed ?? 0), runId: run.id, apiUrl: settings.apiUrl },
    params,
  );
  const argv = trainer.command.map((arg) => renderTemplate(arg, values));
  const modelPath = renderTemplate(trainer.modelOutput, values);

  // On a cluster node the trainer's folder must be shared with the server like the data.
  const cwdExists = await stat(trainer.workingDirectory).then((s) => s.isDirectory(), () => false);
  if (!cwdExists) throw new Error(`trainer.workingDirectory: ${trainer.workingDirectory} is not a folder on ${os.hostname()} (is that path shared with the server?)`);
  log.write("system", `$ ${argv.map((a) => JSON.stringify(a)).join(" ")}  (in ${trainer.workingDirectory})`);
  let malformed = 0;
  const metricWrites: Promise<unknown>[] = [];
  await stopPreviousAttempt(run, (message) => log.write("system", message));
  let recorded: Promise<unknown> = Promise.resolve();
  const token = await runToken();
  const exit = await runTrainerProcess({
    argv,
    cwd: trainer.workingDirectory,
    env: trainerEnvironment(process.env, settings.trainerEnvAllow, trainer.environment, {
      REALISMLAB_RUN_ID: run.id,
      REALISMLAB_API_URL: settings.apiUrl,
      ...(token ? { REALISMLAB_TOKEN: token } : {}),
    }),
    signal,
    killGraceMs: settings.trainerKillGraceMs,
    onStart(processGroup) {
      recorded = recordProcess(processGroup, os.hostname()).then(
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
        metricWrites.push(logMetrics(parsed.metrics).catch((error) => log.write("system", `metrics ignored: ${(error as Error).message}`)));
      } else if (parsed.kind === "malformed") {
        malformed++;
        log.write("system", `ignored a malformed trainer line (${parsed.reason})`);
      }
    },
  });
  await Promise.all(metricWrites);
  await recorded;
  await recordProcess(null, null); // this attempt's trainer is gone
  log.write("system", `trainer exited with ${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`}`);
  await log.flush();

  if (exit.aborted) throw new Error("the trainer was stopped");
  if (exit.code !== 0) {
    throw new Error(`trainer exited with ${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`}; last lines:\n${log.tail(ERROR_TAIL_LINES).join("\n")}`);
  }
  const exported = await paths.resolveExisting("modelOutput", modelPath, "file").catch(() => null);
  if (!exported || !(await access(exported).then(() => true, () => false))) {
    throw new Error(`trainer exited 0 but left no model at ${modelPath} (inside the data roots)`);
  }
  return {
    faceModel: {
      name: `${trainer.name}-${dataset.name}-${run.id.slice(0, 8)}`,
      backbone: trainer.backbone,
      head: trainer.head,
      modelPath: exported,
      inputSpec: trainer.inputSpec,
    },
    details: { modelPath: exported, exitCode: exit.code, malformedLines: malformed },
  };
}
