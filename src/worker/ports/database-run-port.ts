// The run ports over the database, for workers attached to the API's Postgres (the
// in-process worker and `npm run worker`): the same services the API's run-report
// mutations call, so every write carries its events in the same transaction.
import type { Run } from "../../generated/prisma/client";
import type { EventBus } from "../../events/event-bus";
import type { Services } from "../../services";
import { workerActor } from "../../services/actor";
import type { JobRun, RunPort } from "../run-port";
import type { WorkerIdentity } from "../worker-identity";

export function jobRunOf(run: Run): JobRun {
  return {
    id: run.id,
    kind: run.kind,
    params: run.params,
    seed: run.seed,
    attempt: run.attempt,
    details: run.details,
    datasetId: run.datasetId,
    transferMethodId: run.transferMethodId,
    faceModelId: run.faceModelId,
    trainerId: run.trainerId,
    processGroup: run.processGroup,
    processHost: run.processHost,
  };
}

export function createDatabaseRunPort(options: {
  services: Services;
  events: EventBus;
  identity: WorkerIdentity;
  /** Mints a token limited to one run, for its trainer. */
  runToken?: (runId: string) => Promise<string>;
}): RunPort {
  const { services, events, identity } = options;
  const { stores, runReports } = services;
  const actor = workerActor(identity.name);

  return {
    async claim(runId, who) {
      const claimed = await runReports.claim(runId, who);
      return claimed && jobRunOf(claimed);
    },
    heartbeat: (runId, progress) => runReports.heartbeat(runId, progress),
    watchStopped(runId, signal, onStopped) {
      void (async () => {
        for await (const event of events.subscribe("runUpdated", signal)) {
          if (event.runId === runId && event.status !== "RUNNING") onStopped();
        }
      })();
    },
    appendLog: (runId, lines) => runReports.appendLog(runId, lines),
    async logMetrics(runId, points) {
      await services.metrics.log(runId, points, actor);
    },
    recordProcess: (runId, group, host) => runReports.recordProcess(runId, group, host),
    async finish(runId, outcome) {
      await services.runOutcome.record(runId, outcome, actor);
    },
    async fail(runId, error) {
      await runReports.fail(runId, error, actor);
    },
    async requeue(runId, reason) {
      await runReports.requeue(runId, reason);
    },
    ...(options.runToken ? { runToken: options.runToken } : {}),
    lookups: {
      dataset: async (id) => (await stores.catalogue.datasetsByIds([id]))[0] ?? null,
      transferMethod: async (id) => (await stores.catalogue.methodsByIds([id]))[0] ?? null,
      faceModel: async (id) => (await stores.catalogue.faceModelsByIds([id]))[0] ?? null,
      async trainer(id) {
        const [trainer] = await stores.trainers.byIds([id]);
        return trainer
          ? { ...trainer, command: trainer.command as string[], environment: (trainer.environment ?? {}) as Record<string, string> }
          : null;
      },
    },
  };
}
