// Builds this process's executors from config: always `local`; `slurm` when some
// run kind uses it. The registry is handed to the services that launch runs.
import path from "node:path";
import type { AppConfig } from "../config/config";
import type { Stores } from "../db/stores";
import type { RunKind } from "../domain/run-kind";
import type { RunsService } from "../services/runs-service";
import type { Executor, ExecutorChoice } from "./executor";
import { createExecutorRegistry, type ExecutorRegistry } from "./executor-registry";
import { createLocalExecutor } from "./local-executor";
import { parseResources } from "./resources";
import { readFileSync } from "node:fs";
import { localSlurmAccess, type SlurmAccess } from "./slurm/slurm-commands";
import { sshSlurmAccess } from "./slurm/ssh-access";
import { createSlurmExecutor } from "./slurm/slurm-executor";

export interface ExecutorSetup {
  config: AppConfig;
  /** The database and GraphQL URLs a remote job reports to. */
  databaseUrl: string;
  /** Known once the HTTP server listens (API_URL, else its own URL). */
  apiUrl: () => string;
  log: (message: string) => void;
}

/** The kinds with an executor choice in config (EXECUTOR_<KIND>, RESOURCES_<KIND>); others run locally. */
/** The executor and default resources per run kind from config; kinds not named run locally. */
export function executorDefaults(config: Pick<AppConfig, "executorByKind">): Partial<Record<RunKind, ExecutorChoice>> {
  return Object.fromEntries(
    Object.entries(config.executorByKind).map(([kind, setting]) => [kind, { executor: setting.executor, resources: parseResources(setting.resources) }]),
  );
}

/** Only `local`, with the defaults local: what a process that launches nothing remote gets. */
export function localOnlyExecutors(stores: Stores): ExecutorRegistry {
  const local = { executor: "local" as const, resources: {} };
  return createExecutorRegistry([createLocalExecutor({ stores })], { TRANSFER: local, TRAIN: local, EVALUATE: local }, 60_000, () => {});
}

/** Local commands, or SSH to a login node where SLURM_SSH_HOST is set (its key files read now). */
export function slurmAccessFrom(config: AppConfig, log: (message: string) => void): SlurmAccess {
  if (!config.SLURM_SSH_HOST) return localSlurmAccess({ binDir: config.SLURM_BIN_DIR });
  if (!config.SLURM_SSH_USER || !config.SLURM_SSH_KEY_FILE) throw new Error("SLURM_SSH_HOST needs SLURM_SSH_USER and SLURM_SSH_KEY_FILE");
  return sshSlurmAccess(
    {
      host: config.SLURM_SSH_HOST,
      port: config.SLURM_SSH_PORT,
      username: config.SLURM_SSH_USER,
      privateKey: readFileSync(config.SLURM_SSH_KEY_FILE),
      knownHosts: config.SLURM_SSH_KNOWN_HOSTS ? readFileSync(config.SLURM_SSH_KNOWN_HOSTS, "utf8") : undefined,
      fingerprint: config.SLURM_SSH_HOST_FINGERPRINT,
      binDir: config.SLURM_BIN_DIR,
    },
    log,
  );
}

export function createExecutors(
  services: { stores: Stores; runs: RunsService; runToken: (runId: string) => Promise<string> },
  setup: ExecutorSetup,
): ExecutorRegistry {
  const { config } = setup;
  const defaults = executorDefaults(config);
  const executors: Executor[] = [createLocalExecutor(services)];
  if (Object.values(defaults).some((d) => d?.executor === "slurm") || config.SLURM_WORK_DIR) {
    // The job reports through the API with its run's token (src/run-one.ts), never the database.
    const jobEnv = async (runId: string): Promise<Record<string, string>> => ({
      API_URL: setup.apiUrl(),
      REALISMLAB_RUN_TOKEN: await services.runToken(runId),
      DATA_ROOTS: config.dataRoots.join(path.delimiter),
      HEARTBEAT_INTERVAL_MS: String(config.HEARTBEAT_INTERVAL_MS),
      TRAINER_KILL_GRACE_MS: String(config.TRAINER_KILL_GRACE_MS),
      TRAINER_ENV_ALLOW: config.TRAINER_ENV_ALLOW.join(","),
    });
    executors.push(
      createSlurmExecutor(
        services,
        slurmAccessFrom(config, setup.log),
        {
          account: config.SLURM_ACCOUNT,
          qos: config.SLURM_QOS,
          extraSbatch: config.SLURM_EXTRA_SBATCH,
          envSetup: config.SLURM_ENV_SETUP,
          repoDir: path.resolve(config.SLURM_REPO_DIR ?? process.cwd()),
          workDir: path.resolve(config.SLURM_WORK_DIR ?? path.join(config.dataDir, "slurm")),
          jobEnv,
        },
        setup.log,
      ),
    );
  }
  return createExecutorRegistry(executors, defaults, config.SLURM_POLL_MS, setup.log);
}
