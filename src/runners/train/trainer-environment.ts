// The environment a trainer gets: an explicit allow-list of the worker's variables
// (never DATABASE_URL, DATA_DIR, npm_* ...), then the trainer's registered
// environment, then the REALISMLAB_* contract variables, which nothing overrides.

/** Variables passed through by default; `NAME_*` matches a prefix. TRAINER_ENV_ALLOW replaces the list. */
export const DEFAULT_TRAINER_ENV_ALLOW = [
  "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "LC_*", "TZ", "TMPDIR", "TERM",
  "CUDA_*", "NVIDIA_*", "LD_LIBRARY_PATH", "PYTHONPATH", "VIRTUAL_ENV", "CONDA_*",
  "OMP_NUM_THREADS", "MKL_NUM_THREADS", "HF_HOME", "TORCH_HOME", "XDG_CACHE_HOME",
] as const;

function allowed(name: string, allowList: readonly string[]): boolean {
  return allowList.some((rule) => (rule.endsWith("*") ? name.startsWith(rule.slice(0, -1)) : name === rule));
}

export function trainerEnvironment(
  source: NodeJS.ProcessEnv,
  allowList: readonly string[],
  registered: Record<string, string>,
  contract: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value !== undefined && allowed(name, allowList)) env[name] = value;
  }
  const own = Object.fromEntries(Object.entries(registered).filter(([name]) => !name.startsWith("REALISMLAB_")));
  return { ...env, ...own, ...contract };
}
