// Executor settings from the environment (issue 13): which executor each run kind
// uses, its default resources, and the Slurm executor's template values.
import { z } from "zod";
import { EXECUTOR_NAMES } from "../executors/executor";

const executor = z.enum(EXECUTOR_NAMES).default("local");
/** A JSON object like {"gpus":1,"cpus":4,"memoryGb":16,"timeLimit":"24:00:00"}; checked again by parseResources. */
const resources = z
  .string()
  .transform((raw, ctx) => {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "must be a JSON object like {\"gpus\":1,\"timeLimit\":\"60\"}" });
      return z.NEVER;
    }
  })
  .optional();
/** Lines separated by newlines or ";;" (an env var rarely holds newlines well). */
const lines = z
  .string()
  .transform((raw) => raw.split(/\n|;;/).map((line) => line.trim()).filter(Boolean))
  .default([]);
const slurmName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "letters, digits, '_', '.' or '-'").optional();

/** `EXECUTOR_<KIND>` and `RESOURCES_<KIND>`, for any run kind (src/kinds/registry.ts checks the names at start). */
const PER_KIND = /^(EXECUTOR|RESOURCES)_([A-Z][A-Z0-9_]{0,39})$/;

export interface KindExecutorSetting {
  executor: (typeof EXECUTOR_NAMES)[number];
  /** Unchecked JSON; parseResources checks it when the executors are built. */
  resources: unknown;
}

/**
 * The executor and default resources each run kind's launches get, from every EXECUTOR_<KIND> /
 * RESOURCES_<KIND> variable (a kind with neither: local, no resources). Problems are returned
 * named by variable, for loadConfig's ConfigError.
 */
export function executorSettingsFromEnv(env: Record<string, string | undefined>): { byKind: Record<string, KindExecutorSetting>; problems: string[] } {
  const byKind: Record<string, KindExecutorSetting> = {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    const match = PER_KIND.exec(name);
    if (!match || value === undefined) continue;
    const [, what, kind] = match as unknown as [string, "EXECUTOR" | "RESOURCES", string];
    const setting = (byKind[kind] ??= { executor: "local", resources: undefined });
    const parsed = (what === "EXECUTOR" ? executor : resources).safeParse(value);
    if (!parsed.success) problems.push(...parsed.error.issues.map((issue) => `${name}: ${issue.message}`));
    else if (what === "EXECUTOR") setting.executor = parsed.data as KindExecutorSetting["executor"];
    else setting.resources = parsed.data;
  }
  return { byKind, problems };
}

export const executorEnv = {
  SLURM_ACCOUNT: slurmName,
  SLURM_QOS: slurmName,
  /** Whole #SBATCH lines (or their options) added to every batch script. */
  SLURM_EXTRA_SBATCH: lines,
  /** Shell lines run in the job before the entry point (module load, conda activate). */
  SLURM_ENV_SETUP: lines,
  /** Scripts and job output files; a folder the nodes see at the same path (default DATA_DIR/slurm). */
  SLURM_WORK_DIR: z.string().min(1).optional(),
  /** This repository as the nodes see it (default: the server's working directory). */
  SLURM_REPO_DIR: z.string().min(1).optional(),
  /** Folder of sbatch, squeue, scontrol, scancel and sinfo (default: PATH). */
  SLURM_BIN_DIR: z.string().min(1).optional(),
  SLURM_POLL_MS: z.coerce.number().int().min(200).default(5_000),
  /** Reach Slurm over SSH on this login node (unset: run the commands locally). */
  SLURM_SSH_HOST: z.string().regex(/^[A-Za-z0-9_.:-]{1,253}$/, "a host name or address").optional(),
  SLURM_SSH_PORT: z.coerce.number().int().min(1).max(65_535).default(22),
  SLURM_SSH_USER: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "a user name").optional(),
  /** The private key file (key authentication only; no passwords). */
  SLURM_SSH_KEY_FILE: z.string().min(1).optional(),
  /** A known_hosts file listing the login node's host key... */
  SLURM_SSH_KNOWN_HOSTS: z.string().min(1).optional(),
  /** ...or its fingerprint as `ssh-keygen -lf` prints it (SHA256:...). */
  SLURM_SSH_HOST_FINGERPRINT: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, "SHA256:<base64>, as ssh-keygen -lf prints it").optional(),
};
