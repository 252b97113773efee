// A run's effective configuration: what produced its result, as flat namespaced keys.
//
// The database computes it (run.config) and its identity (run.config_key) in SQL, in
// run_effective_config / run_config_identity of migration 20261130100000_run_config,
// on every insert or lineage change of a run: one definition for every launch path,
// createRun, pipelines, published results and the backfill. This module is the
// application's view of those values: the key names, which keys are seeds, and how
// keys and values read in labels.
//
// Keys (absent when unknown):
//   dataset                 base training data: the training dataset, or for a realism-
//                           transferred one the dataset it was transferred from
//   transfer.method         transfer method name
//   transfer.modelVersion   the method's ONNX model at launch ("sha256:<16 hex>")
//   transfer.<option>       method options (fidelityWeight, steps, ...) and limit
//   transfer.seed           the TRANSFER run's seed
//   train.trainer, train.backbone, train.head, train.<param>, train.seed
//   evaluate.<param>        an EVALUATE run's own params minus evaluation mechanics
//   evaluate.seed           an EVALUATE run's seed when no training seed is known
//   evaluate.nonStandard    {benchmark: "300 of 6000 pairs"} for off-protocol evaluations
//   quality.reference, quality.featureModel, quality.limit   DATASET_QUALITY runs
//   <kind>.<param>          a kind run_effective_config does not name: its own params (migration 20261201100000)
//
// Identity (config_key): the first 32 hex digits of sha256 over Postgres' jsonb text of
// the config minus SEED_KEYS (jsonb prints keys in one canonical order). The published
// source is not part of it. Evaluation mechanics (batch size, paths, benchmark ids, the IJB
// alignment asked for: each benchmark records what it resolved to) never
// enter the config, so they never split a leaderboard row.

export type RunConfig = Record<string, unknown>;

export const SEED_KEYS = ["train.seed", "transfer.seed", "evaluate.seed"] as const;
export const DATASET_KEY = "dataset";
export const METHOD_KEY = "transfer.method";
export const NON_STANDARD_KEY = "evaluate.nonStandard";

/** Config keys: namespaced letters, digits, '_', '-' and dots; bounded (they reach SQL as parameters). */
export const CONFIG_KEY_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,99}$/;

export function isSeedKey(key: string): boolean {
  return (SEED_KEYS as readonly string[]).includes(key);
}

/** The config without its seeds: what repeated runs of one configuration share. */
export function withoutSeeds(config: RunConfig | null | undefined): RunConfig {
  return Object.fromEntries(Object.entries(config ?? {}).filter(([k]) => !isSeedKey(k)));
}

/** Benchmarks evaluated off their protocol: name -> what differs ({} when none). */
export function nonStandardOf(config: RunConfig | null | undefined): Record<string, string> {
  const value = config?.[NON_STANDARD_KEY];
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, string>) : {};
}

/**
 * Short names for config keys in labels: the last segment (`train.epochs` -> `epochs`)
 * unless two keys share it, then the full key.
 */
export function shortKeyNames(keys: readonly string[]): Map<string, string> {
  const last = (k: string) => k.slice(k.lastIndexOf(".") + 1);
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(last(k), (counts.get(last(k)) ?? 0) + 1);
  return new Map(keys.map((k) => [k, counts.get(last(k))! > 1 ? k : last(k)]));
}

/** A config value as a label prints it: strings bare, the rest as compact JSON. */
export function configValueText(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && !Array.isArray(value)) {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${configValueText(v)}`)
      .join("; ");
  }
  return JSON.stringify(value);
}
