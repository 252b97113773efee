import { checkProtocolSize, type SizeCheckOptions } from "../../metrics";

/** checkProtocolSize with the benchmark's own name in front, and what to do about a mismatch. */
export function checkBenchmarkSize(benchmark: string, pairs: number, options: SizeCheckOptions): void {
  try {
    checkProtocolSize(benchmark, pairs, options);
  } catch (error) {
    const hint = options.allowNonStandardSize ? "" : "; set allowNonStandardSize for a small test benchmark";
    throw new Error(`benchmark ${benchmark}: ${(error as Error).message}${hint}`);
  }
}
