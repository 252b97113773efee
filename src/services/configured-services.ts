// The services every entry point (API server, standalone worker, run-one) builds from its
// config: the data roots, the auth settings and the executors that config chooses, so a
// pipeline advanced in any process queues its next runs where the API would.
import type { AppConfig } from "../config/config";
import type { Stores } from "../db/stores";
import { createServices } from ".";
import { createDataPaths } from "./data-paths";
import type { KindRegistry } from "../kinds/registry";

export function createConfiguredServices(
  config: AppConfig,
  stores: Stores,
  database: { url: string; apiUrl: () => string; log: (message: string) => void },
  kinds?: KindRegistry,
) {
  return createServices(
    stores,
    createDataPaths(config.dataRoots),
    { required: config.AUTH_REQUIRED, readsPublic: config.READS_PUBLIC },
    { config, databaseUrl: database.url, apiUrl: database.apiUrl, log: database.log },
    kinds,
  );
}
