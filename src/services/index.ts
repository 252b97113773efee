// Wires the services over the stores. Created once per process in src/app.ts and
// handed to GraphQL contexts and workers; there are no module-level singletons.
import type { Stores } from "../db/stores";
import { createCatalogueService } from "./catalogue-service";
import type { DataPaths } from "./data-paths";
import { createEvaluationLaunchService } from "./evaluation-launch";
import { createLaunchService } from "./launch-service";
import { createLeaderboardService } from "./leaderboard";
import { createMetricsService } from "./metrics-service";
import { createPublishedResultsImporter } from "./published-results";
import { createRunsService } from "./runs-service";
import { createTrainersService } from "./trainers-service";

export function createServices(stores: Stores, dataPaths: DataPaths) {
  const catalogue = createCatalogueService(stores.catalogue, dataPaths);
  const runs = createRunsService(stores, catalogue);
  const metrics = createMetricsService(stores, runs, catalogue);
  return {
    stores,
    dataPaths,
    catalogue,
    runs,
    metrics,
    launch: createLaunchService(stores, runs, dataPaths),
    trainers: createTrainersService(stores, catalogue),
    evaluationLaunch: createEvaluationLaunchService(stores, dataPaths),
    leaderboard: createLeaderboardService(stores),
    importPublishedResults: createPublishedResultsImporter(stores),
  };
}

export type Services = ReturnType<typeof createServices>;
