// Canonical metric names. Values are fractions (0..1), as the reference
// evaluation scripts print them; the leaderboard shows them x100 like the paper.
export const ACCURACY = "accuracy";
export const VAL_AT_FAR_1E3 = "val@far=1e-3";
export const SECONDS_PER_IMAGE = "seconds_per_image";
export const IMAGES_PER_SECOND = "images_per_second";

export const IJBC_FMRS = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1] as const;

/** tarAtFmr(1e-4) === "tar@fmr=1e-4" */
export function tarAtFmr(fmr: number): string {
  return `tar@fmr=${fmr.toExponential()}`;
}

/**
 * A paper's published "Avg" column (Table 2): stored on a published run without a
 * benchmark. Its mean and std come from per-run averages the paper does not print,
 * so they cannot be recomputed from the per-benchmark cells.
 */
export function averageOf(metric: string): string {
  return `avg:${metric}`;
}
