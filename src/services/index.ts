// Wires the services over the stores. Created once per process in src/app.ts and
// handed to GraphQL contexts and workers; there are no module-level singletons.
import type { Stores } from "../db/stores";
import { createExecutors, localOnlyExecutors, type ExecutorSetup } from "../executors";
import { createAuthService, type AuthSettings } from "./auth-service";
import { createCatalogueService } from "./catalogue-service";
import type { DataPaths } from "./data-paths";
import { createDatasetQualityLaunchService } from "./dataset-quality-launch";
import { createEvaluationLaunchService } from "./evaluation-launch";
import { createLaunchService } from "./launch-service";
import { createLeaderboardService } from "./leaderboard";
import { createMetricsService } from "./metrics-service";
import { createPipelinesService } from "./pipelines-service";
import { createPublishedResultsImporter } from "./published-results";
import { createRunAnnotationsService } from "./run-annotations-service";
import { createRunsService } from "./runs-service";
import { createTrainersService } from "./trainers-service";

export function createServices(
  stores: Stores,
  dataPaths: DataPaths,
  authSettings: AuthSettings = { required: false, readsPublic: true },
  /** Where runs execute (src/executors); without it, every run goes to the local queue. */
  executorSetup?: ExecutorSetup,
) {
  const catalogue = createCatalogueService(stores.catalogue, dataPaths);
  const runs = createRunsService(stores, catalogue);
  const metrics = createMetricsService(stores, runs, catalogue);
  const executors = executorSetup ? createExecutors({ stores, runs }, executorSetup) : localOnlyExecutors(stores);
  const launch = createLaunchService(stores, runs, dataPaths, executors);
  const trainers = createTrainersService(stores, catalogue, dataPaths, executors);
  const evaluationLaunch = createEvaluationLaunchService(stores, dataPaths, executors);
  const pipelines = createPipelinesService({ stores, catalogue, launch, trainers, evaluation: evaluationLaunch, executors });
  // A pipeline moves on whenever one of its runs ends, whichever process ended it.
  runs.onTerminal(async (run) => {
    if (run.pipelineId) await pipelines.advance(run.pipelineId);
  });
  const auth = createAuthService(stores, authSettings);
  return {
    stores,
    dataPaths,
    auth,
    catalogue,
    runs,
    runAnnotations: createRunAnnotationsService(stores, auth),
    metrics,
    launch,
    executors,
    trainers,
    evaluationLaunch,
    datasetQualityLaunch: createDatasetQualityLaunchService(stores, dataPaths),
    pipelines,
    leaderboard: createLeaderboardService(stores),
    importPublishedResults: createPublishedResultsImporter(stores),
  };
}

export type Services = ReturnType<typeof createServices>;
