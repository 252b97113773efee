// Configuration is read from the environment once, at start-up, and validated
// with zod; every problem is reported together, each naming its variable.
import path from "node:path";
import { z } from "zod";
import { DEFAULT_TRAINER_ENV_ALLOW } from "../runners/train/trainer-environment";
import { RUN_KIND_NAME } from "../domain/run-kind";
import { executorEnv, executorSettingsFromEnv, type KindExecutorSetting } from "./executor-config";

const pathList = z
  .string()
  .transform((raw) => raw.split(path.delimiter).map((p) => p.trim()).filter(Boolean))
  .pipe(z.array(z.string()).min(1, "must name at least one folder"));

const boolean = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

const envSchema = z.object({
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: "must be a postgres:// or postgresql:// URL" })
    .optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default("localhost"),
  /** Folders (separated by the platform's path delimiter) that datasets, models and outputs may live under. */
  DATA_ROOTS: pathList.optional(),
  /** Where the embedded Postgres and the default data root live when nothing else is set. */
  DATA_DIR: z.string().min(1).default(".data"),
  /** Run a queue worker inside the API process (the one-machine default). */
  WORKER_IN_PROCESS: boolean.default(true),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  /**
   * Comma-separated run kinds this worker takes (TRANSFER,TRAIN,EVALUATE,DATASET_QUALITY, ...);
   * unset: every kind of the registry. Names are checked against the registry when the worker
   * starts (src/kinds/registry.ts workerKinds), which knows kinds added by startApp's options.
   */
  WORKER_KINDS: z
    .string()
    .transform((raw) => raw.split(",").map((k) => k.trim().toUpperCase()).filter(Boolean))
    .pipe(z.array(z.string().regex(RUN_KIND_NAME, "must list run kind names (letters, digits, '_')")).min(1))
    .optional(),
  HEARTBEAT_INTERVAL_MS: z.coerce.number().int().min(100).default(5_000),
  HEARTBEAT_TIMEOUT_MS: z.coerce.number().int().min(500).default(60_000),
  /** Running jobs sample CPU, memory and GPUs (nvidia-smi) into their run's system/* metrics this often; 0 = off. */
  SYSTEM_METRICS_INTERVAL_MS: z.coerce.number().int().min(0).max(3_600_000).default(10_000),
  /** The GraphQL URL handed to trainers (default http://HOST:PORT/graphql). */
  API_URL: z.url().optional(),
  /** How long a cancelled trainer may take to exit after SIGTERM before SIGKILL. */
  TRAINER_KILL_GRACE_MS: z.coerce.number().int().min(0).default(5_000),
  /** Comma-separated worker variables a trainer sees (NAME or PREFIX_*); replaces the default list. */
  TRAINER_ENV_ALLOW: z
    .string()
    .transform((raw) => raw.split(",").map((k) => k.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*\*?$/, "names like PATH or prefixes like CUDA_*")))
    .default([...DEFAULT_TRAINER_ENV_ALLOW]),
  /** Lifetime of a trainer's run token (it is revoked earlier, when the run ends). */
  TRAINER_TOKEN_HOURS: z.coerce.number().positive().max(24 * 90).default(24 * 7),
  /** Mutations need an API token with the right scope (npm run token -- create). */
  AUTH_REQUIRED: boolean.default(true),
  /** Queries and subscriptions without a token (false: they need the READ scope). */
  READS_PUBLIC: boolean.default(true),
  INTROSPECTION: boolean.default(true),
  MAX_QUERY_DEPTH: z.coerce.number().int().min(2).max(100).default(12),
  MAX_QUERY_COST: z.coerce.number().int().min(10).default(20_000),
  MAX_QUERY_ALIASES: z.coerce.number().int().min(1).default(30),
  /** Executions of a query document before graphql-jit compiles it (src/graphql/compiled-queries.ts); off: never. */
  GRAPHQL_COMPILE_AFTER: z.union([z.literal("off"), z.coerce.number().int().min(0).max(1_000)]).default(1),
  /** Open WebSocket connections one remote address may hold (more are refused with HTTP 429). */
  MAX_WS_CONNECTIONS_PER_CLIENT: z.coerce.number().int().min(1).default(100),
  /** Operations (subscriptions) one WebSocket connection may run at once. */
  MAX_SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().min(1).default(100),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  ...executorEnv,
});

export type Env = z.output<typeof envSchema>;

export interface AppConfig extends Omit<Env, "DATA_ROOTS" | "DATA_DIR" | "API_URL"> {
  dataDir: string;
  dataRoots: string[];
  /** API_URL when set; else the server's own URL (see src/app.ts). */
  apiUrl: string | null;
  /** EXECUTOR_<KIND> / RESOURCES_<KIND> per run kind (src/config/executor-config.ts). */
  executorByKind: Record<string, KindExecutorSetting>;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): AppConfig {
  // An empty variable (`DATABASE_URL= npm start`) means "not set".
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ""));
  const parsed = envSchema.safeParse(present);
  const executors = executorSettingsFromEnv(present);
  if (!parsed.success || executors.problems.length) {
    throw new ConfigError([
      ...(parsed.error?.issues.map((issue) => `${issue.path.join(".") || "environment"}: ${issue.message}`) ?? []),
      ...executors.problems,
    ]);
  }
  const { DATA_ROOTS, DATA_DIR, API_URL, ...rest } = parsed.data;
  const dataDir = path.resolve(cwd, DATA_DIR);
  const dataRoots = (DATA_ROOTS ?? [path.join(dataDir, "datasets")]).map((root) => path.resolve(cwd, root));
  return { ...rest, dataDir, dataRoots, apiUrl: API_URL ?? null, executorByKind: executors.byKind };
}
