// The dataset quality measures against numpy/scipy (scipy.linalg.sqrtm for the Fréchet distance,
// scipy.stats.spearmanr for rho), computed by /usr/bin/python3 on the same numbers.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { frechetDistance, identitySeparability } from "../../src/metrics/dataset-quality";
import { averageRanks, spearman } from "../../src/metrics/spearman";

function python(script: string, input: unknown): any {
  const out = execFileSync("/usr/bin/python3", ["-c", script], { input: JSON.stringify(input), encoding: "utf8" });
  return JSON.parse(out);
}

function hasScipy(): boolean {
  try {
    execFileSync("/usr/bin/python3", ["-c", "import numpy, scipy.linalg, scipy.stats"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Deterministic correlated Gaussian-ish rows. */
function sample(n: number, dim: number, seed: number, shift: number): Float64Array {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const out = new Float64Array(n * dim);
  for (let r = 0; r < n; r++) {
    let prev = 0;
    for (let j = 0; j < dim; j++) {
      const z = rand() + rand() + rand() - 1.5;
      prev = 0.6 * prev + z * (1 + j / dim);
      out[r * dim + j] = prev + shift * (j % 3);
    }
  }
  return out;
}

const FID_PY = `
import json, sys, numpy as np, scipy.linalg
d = json.load(sys.stdin)
dim = d["dim"]
a = np.array(d["a"], dtype=np.float64).reshape(-1, dim)
b = np.array(d["b"], dtype=np.float64).reshape(-1, dim)
mu1, mu2 = a.mean(0), b.mean(0)
s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
covmean = scipy.linalg.sqrtm(s1.dot(s2))
covmean = np.real(covmean)
print(json.dumps(float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))))
`;

const SEP_PY = `
import json, sys, numpy as np
d = json.load(sys.stdin)
x = np.array(d["x"], dtype=np.float64).reshape(-1, d["dim"])
ids = np.array(d["ids"])
x = x / np.linalg.norm(x, axis=1, keepdims=True)
c = x @ x.T
iu = np.triu_indices(len(x), 1)
same = ids[iu[0]] == ids[iu[1]]
v = c[iu]
print(json.dumps([float(v[same].mean()), float(v[~same].mean()), int(same.sum()), int((~same).sum())]))
`;

const SPEARMAN_PY = `
import json, sys, scipy.stats
d = json.load(sys.stdin)
print(json.dumps([float(scipy.stats.spearmanr(x, y)[0]) for x, y in d]))
`;

const scipy = hasScipy();

describe("frechetDistance", () => {
  it("is zero for a set against itself and matches closed forms on diagonal covariances", () => {
    const a = sample(200, 6, 1, 0);
    expect(Math.abs(frechetDistance(a, a, 6))).toBeLessThan(1e-9);
    // Rows (±s_j) around mean m: the covariance is diagonal; FD = |m1-m2|^2 + sum (s1 - s2)^2 (variances s^2 * n/(n-1)).
    const rows = (m: number[], s: number[]) => {
      const dim = m.length;
      const out: number[] = [];
      for (let j = 0; j < dim; j++) {
        for (const sign of [1, -1]) out.push(...m.map((mv, k) => mv + (k === j ? sign * s[j]! : 0)));
      }
      return Float64Array.from(out);
    };
    const m1 = [0, 1, 2], s1 = [1, 2, 3], m2 = [1, 1, 0], s2 = [2, 2, 1];
    const n = 6;
    const scale = (v: number) => Math.sqrt((v * v * 2) / (n - 1)); // std along axis j
    let expected = 0;
    for (let j = 0; j < 3; j++) expected += (m1[j]! - m2[j]!) ** 2 + (scale(s1[j]!) - scale(s2[j]!)) ** 2;
    const got = frechetDistance(rows(m1, s1), rows(m2, s2), 3);
    expect(Math.abs(got - expected) / expected).toBeLessThan(1e-12);
  });

  it.skipIf(!scipy)("matches numpy.cov + scipy.linalg.sqrtm to 1e-9 relative", () => {
    for (const [n, m, dim, shift] of [[300, 250, 8, 0.3], [120, 150, 16, 1.5], [64, 80, 4, 0]] as const) {
      const a = sample(n, dim, 7 + dim, 0);
      const b = sample(m, dim, 99 + dim, shift);
      const expected = python(FID_PY, { dim, a: [...a], b: [...b] }) as number;
      const got = frechetDistance(a, b, dim);
      expect(Math.abs(got - expected) / Math.abs(expected)).toBeLessThan(1e-9);
    }
  });
});

describe("identitySeparability", () => {
  it("matches numpy over all pairs", () => {
    const dim = 5;
    const x = sample(23, dim, 5, 0.2);
    const ids = Array.from({ length: 23 }, (_, i) => `id${i % 4}`);
    const got = identitySeparability(x, dim, (i) => ids[i]!);
    const [intra, inter, nIntra, nInter] = python(SEP_PY, { dim, x: [...x], ids });
    expect(got.sampled).toBe(false);
    expect(got.intraPairs).toBe(nIntra);
    expect(got.interPairs).toBe(nInter);
    expect(Math.abs(got.intraCosine! - intra)).toBeLessThan(1e-12);
    expect(Math.abs(got.interCosine! - inter)).toBeLessThan(1e-12);
    expect(got.separability).toBeCloseTo(intra - inter, 12);
  });

  it("samples pairs deterministically above maxPairs", () => {
    const dim = 4;
    const x = sample(60, dim, 3, 0);
    const id = (i: number) => `id${i % 6}`;
    const a = identitySeparability(x, dim, id, { maxPairs: 500, seed: 3 });
    const b = identitySeparability(x, dim, id, { maxPairs: 500, seed: 3 });
    expect(a.sampled).toBe(true);
    expect(a.intraPairs + a.interPairs).toBe(500);
    expect(a).toEqual(b);
    const full = identitySeparability(x, dim, id);
    expect(Math.abs(a.interCosine! - full.interCosine!)).toBeLessThan(0.1);
  });

  it("gives null when a kind of pair is missing", () => {
    const got = identitySeparability(Float64Array.from([1, 0, 0, 1]), 2, () => "one");
    expect(got.interCosine).toBeNull();
    expect(got.separability).toBeNull();
    expect(got.intraCosine).toBeCloseTo(0, 15);
  });
});

describe("spearman", () => {
  it("uses average ranks for ties", () => {
    expect(averageRanks([10, 20, 20, 5])).toEqual([2, 3.5, 3.5, 1]);
    expect(spearman([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 15);
    expect(spearman([1, 1], [1, 2])).toBeNull();
  });

  it.skipIf(!scipy)("matches scipy.stats.spearmanr", () => {
    const cases: [number[], number[]][] = [
      [[1, 2, 3, 4, 5], [5, 6, 7, 8, 7]],
      [[0.3, 0.1, 0.1, 0.9, 0.5, 0.5], [2, 1, 3, 6, 5, 4]],
      [[3, 1, 2], [0.1, 0.2, 0.3]],
    ];
    const expected = python(SPEARMAN_PY, cases) as number[];
    cases.forEach(([x, y], i) => expect(Math.abs(spearman(x, y)! - expected[i]!)).toBeLessThan(1e-12));
  });
});
