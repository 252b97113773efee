// Expected sizes of the public benchmarks, so that a truncated or wrong file is caught before a
// number that looks like a literature number is stored.

export const PAIR_BENCHMARK_PAIRS = {
  lfw: 6000,
  cfp_fp: 7000,
  agedb_30: 6000,
  calfw: 6000,
  cplfw: 6000,
} as const;

/** IJB-C 1:1: 19,557 genuine + 15,638,932 impostor template pairs. */
export const IJBC_PAIRS = { total: 15_658_489, genuine: 19_557, impostor: 15_638_932 } as const;

/** IJB-B 1:1: 10,270 genuine + 8,000,000 impostor template pairs (insightface's ijbb meta). */
export const IJBB_PAIRS = { total: 8_010_270, genuine: 10_270, impostor: 8_000_000 } as const;

const IJB_PAIRS = { ijbc: IJBC_PAIRS, ijbb: IJBB_PAIRS } as const;

export type BenchmarkName = keyof typeof PAIR_BENCHMARK_PAIRS | "ijbc" | "ijbb";

/** "CFP-FP", "cfp_fp", "AgeDB-30" ... -> canonical key; undefined if unknown. */
export function canonicalBenchmark(name: string): BenchmarkName | undefined {
  const key = name.trim().toLowerCase().replace(/[-\s]/g, "_").replace(/\.bin$/, "");
  const aliases: Record<string, BenchmarkName> = { agedb: "agedb_30", cfpfp: "cfp_fp", ijb_c: "ijbc", ijb_b: "ijbb" };
  const k = aliases[key] ?? key;
  return k in IJB_PAIRS || k in PAIR_BENCHMARK_PAIRS ? (k as BenchmarkName) : undefined;
}

export interface SizeCheckOptions {
  /** Accept any size (small generated test benchmarks); the check then only validates counts. */
  allowNonStandardSize?: boolean;
  /** For IJB-C: the number of genuine pairs (label 1), checked too when given. */
  genuinePairs?: number;
}

/**
 * Throws a clear error when `pairs` differs from the protocol's count for `benchmark`.
 * Unknown benchmark names are an error unless allowNonStandardSize is set.
 */
export function checkProtocolSize(benchmark: string, pairs: number, options: SizeCheckOptions = {}): void {
  if (!Number.isInteger(pairs) || pairs <= 0) throw new Error(`${benchmark}: pair count must be a positive integer, got ${pairs}`);
  if (options.allowNonStandardSize) return;
  const key = canonicalBenchmark(benchmark);
  if (!key) {
    throw new Error(
      `unknown benchmark "${benchmark}" (known: ${[...Object.keys(PAIR_BENCHMARK_PAIRS), ...Object.keys(IJB_PAIRS)].join(", ")}); ` +
        "pass allowNonStandardSize for a custom benchmark",
    );
  }
  if (key === "ijbc" || key === "ijbb") {
    const ijb = IJB_PAIRS[key];
    if (pairs !== ijb.total) {
      throw new Error(`${key}: the protocol has ${ijb.total} template pairs, got ${pairs}`);
    }
    if (options.genuinePairs !== undefined && options.genuinePairs !== ijb.genuine) {
      throw new Error(`${key}: the protocol has ${ijb.genuine} genuine pairs, got ${options.genuinePairs}`);
    }
    return;
  }
  const expected = PAIR_BENCHMARK_PAIRS[key];
  if (pairs !== expected) {
    throw new Error(`${key}: the protocol has ${expected} pairs, got ${pairs} (truncated or wrong file?)`);
  }
}
