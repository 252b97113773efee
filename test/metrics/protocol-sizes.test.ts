import { describe, expect, it } from "vitest";
import { canonicalBenchmark, checkProtocolSize, IJBC_PAIRS, PAIR_BENCHMARK_PAIRS } from "../../src/metrics/protocol-sizes";

describe("protocol sizes", () => {
  it("knows the literature pair counts", () => {
    expect(PAIR_BENCHMARK_PAIRS).toEqual({ lfw: 6000, cfp_fp: 7000, agedb_30: 6000, calfw: 6000, cplfw: 6000 });
    expect(IJBC_PAIRS.genuine + IJBC_PAIRS.impostor).toBe(IJBC_PAIRS.total);
    expect(IJBC_PAIRS.total).toBe(15_658_489);
  });

  it("accepts the right sizes under the usual spellings", () => {
    expect(() => checkProtocolSize("LFW", 6000)).not.toThrow();
    expect(() => checkProtocolSize("CFP-FP", 7000)).not.toThrow();
    expect(() => checkProtocolSize("agedb_30.bin", 6000)).not.toThrow();
    expect(() => checkProtocolSize("IJB-C", 15_658_489, { genuinePairs: 19_557 })).not.toThrow();
    expect(() => checkProtocolSize("IJB-B", 8_010_270, { genuinePairs: 10_270 })).not.toThrow();
    expect(() => checkProtocolSize("IJB-B", 15_658_489)).toThrow(/ijbb: the protocol has 8010270 template pairs/);
    expect(canonicalBenchmark("AgeDB")).toBe("agedb_30");
    expect(canonicalBenchmark("megaface")).toBeUndefined();
  });

  it("a mismatch is a clear error", () => {
    expect(() => checkProtocolSize("lfw", 5999)).toThrow("lfw: the protocol has 6000 pairs, got 5999");
    expect(() => checkProtocolSize("cfp_fp", 6000)).toThrow(/cfp_fp: the protocol has 7000 pairs/);
    expect(() => checkProtocolSize("ijbc", 15_000_000)).toThrow(/15658489 template pairs, got 15000000/);
    expect(() => checkProtocolSize("ijbc", 15_658_489, { genuinePairs: 19_000 })).toThrow(/19557 genuine pairs/);
    expect(() => checkProtocolSize("tiny", 17)).toThrow(/unknown benchmark "tiny"/);
    expect(() => checkProtocolSize("lfw", 0, { allowNonStandardSize: true })).toThrow(/positive integer/);
  });

  it("the override admits small test benchmarks", () => {
    expect(() => checkProtocolSize("tiny", 17, { allowNonStandardSize: true })).not.toThrow();
    expect(() => checkProtocolSize("lfw", 17, { allowNonStandardSize: true })).not.toThrow();
  });
});
