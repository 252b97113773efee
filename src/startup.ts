// The start-up sequence every entry point shares (API server, standalone worker, token CLI):
// apply pending migrations (a failure explained in words naming the database), install the
// queue schema, open the Prisma client, and build the stores and the configured services.
// Each entry point then starts only what it runs (HTTP, worker, reaper) on top.
import type { AppConfig } from "./config/config";
import { installQueue } from "./db/install-queue";
import { migrate } from "./db/migrate";
import { openDatabase, type Database, type DatabaseOptions } from "./db/prisma";
import { createStores, type Stores } from "./db/stores";
import { explainDatabaseError } from "./db/tool-database";
import type { KindRegistry } from "./kinds/registry";
import type { Services } from "./services";
import { createConfiguredServices } from "./services/configured-services";

export interface StartedServices {
  db: Database;
  stores: Stores;
  services: Services;
  /** The migrations this start applied (empty when the database was up to date). */
  applied: string[];
}

export async function startServices(
  config: AppConfig,
  database: { url: string; label: string },
  options: DatabaseOptions & { apiUrl: () => string; log: (message: string) => void },
  /** The run kinds (src/kinds/registry.ts); the built-in ones by default. */
  kinds?: KindRegistry,
): Promise<StartedServices> {
  const applied = await migrate(database.url).catch((error) => {
    throw explainDatabaseError(error, database.label);
  });
  await installQueue(database.url);
  const { apiUrl, log, ...databaseOptions } = options;
  const db = openDatabase(database.url, databaseOptions);
  const stores = createStores(db.prisma);
  const services = createConfiguredServices(config, stores, { url: database.url, apiUrl, log }, kinds);
  return { db, stores, services, applied };
}
