// Wires the services over the stores. Created once per process in src/app.ts and
// handed to GraphQL contexts and workers; there are no module-level singletons.
import type { Stores } from "../db/stores";
import { createExecutors, localOnlyExecutors, type ExecutorSetup } from "../executors";
import { createAuthService, runTokenMinter, type AuthSettings } from "./auth-service";
import { createCatalogueService } from "./catalogue-service";
import type { DataPaths } from "./data-paths";
import { createEvaluationPlanner } from "../kinds/evaluate/launch";
import type { KindLaunchContext } from "../kinds/kind";
import { createKindRegistry, type KindRegistry } from "../kinds/registry";
import { createLaunchChecks } from "../kinds/shared/launch-checks";
import { createLaunchService } from "./launch-service";
import { createLeaderboardService } from "./leaderboard";
import { createMetricsService } from "./metrics-service";
import { createPipelinesService } from "./pipelines-service";
import { createPublishedResultsImporter } from "./published-results";
import { createRunAnnotationsService } from "./run-annotations-service";
import { createRunLauncher } from "./run-launcher";
import { createRunOutcomeService } from "./run-outcome-service";
import { createRunReportsService } from "./run-reports-service";
import { createRunsService } from "./runs-service";
import { createTrainersService } from "./trainers-service";

export function createServices(
  stores: Stores,
  dataPaths: DataPaths,
  authSettings: AuthSettings = { required: false, readsPublic: true },
  /** Where runs execute (src/executors); without it, every run goes to the local queue. */
  executorSetup?: ExecutorSetup,
  /** The run kinds (src/kinds/registry.ts); the built-in ones unless a caller adds its own. */
  kinds: KindRegistry = createKindRegistry(),
) {
  const catalogue = createCatalogueService(stores.catalogue, dataPaths);
  const runs = createRunsService(stores, catalogue);
  const metrics = createMetricsService(stores, runs, catalogue);
  const auth = createAuthService(stores, authSettings);
  const executors = executorSetup ? createExecutors({ stores, runs, runToken: runTokenMinter(auth, executorSetup.config.TRAINER_TOKEN_HOURS) }, executorSetup) : localOnlyExecutors(stores);
  const kindContext: KindLaunchContext = { stores, paths: dataPaths, executors, checks: createLaunchChecks(stores.catalogue, dataPaths) };
  const launcher = createRunLauncher(kinds, kindContext);
  const launch = createLaunchService(kindContext, runs, launcher);
  const trainers = createTrainersService(stores, launcher, kindContext);
  const evaluationPlanner = createEvaluationPlanner(kindContext);
  const pipelines = createPipelinesService({ stores, catalogue, launch, trainers, evaluation: evaluationPlanner, executors });
  // A pipeline moves on whenever one of its runs ends, whichever process ended it.
  runs.onTerminal(async (run) => {
    if (run.pipelineId) await pipelines.advance(run.pipelineId);
  });
  return {
    stores,
    dataPaths,
    auth,
    catalogue,
    runs,
    runAnnotations: createRunAnnotationsService(stores, auth),
    metrics,
    kinds,
    launcher,
    runOutcome: createRunOutcomeService(stores, runs, dataPaths),
    runReports: createRunReportsService(stores, runs),
    launch,
    executors,
    trainers,
    pipelines,
    leaderboard: createLeaderboardService(stores),
    importPublishedResults: createPublishedResultsImporter(stores),
  };
}

export type Services = ReturnType<typeof createServices>;
