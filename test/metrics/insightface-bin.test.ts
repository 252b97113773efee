import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { encodeInsightfaceBin, parseInsightfaceBin, readInsightfaceBin } from "../../src/metrics/insightface-bin";
import { fakeImage, GOLDEN, loadGolden } from "./golden";

const golden = loadGolden("bin.json");
const file = (name: string) => path.join(GOLDEN, "bin", name);

describe("insightface .bin reader", () => {
  for (const [name, exp] of Object.entries(golden.files) as Array<[string, { sizes: number[]; issame: boolean[] }]>) {
    it(`${name}: images and labels as Python wrote them`, () => {
      const bin = readInsightfaceBin(file(name));
      expect(bin.issame).toEqual(exp.issame);
      expect(bin.bins.map((b) => b.length)).toEqual(exp.sizes);
      bin.bins.forEach((b, i) => expect(Buffer.from(b).equals(fakeImage(i, exp.sizes[i])), `image ${i}`).toBe(true));
    });
  }

  it("numpy-array images are a clear error", () => {
    expect(() => readInsightfaceBin(file("py3-numpy-bins.bin"))).toThrow(/bins\[0\] is a Python object.*expected bytes/);
  });

  it("shape errors", () => {
    const odd = encodeInsightfaceBin({ bins: [fakeImage(0, 3), fakeImage(1, 3)], issame: [true] });
    expect(parseInsightfaceBin(odd).issame).toEqual([true]);
    expect(() => encodeInsightfaceBin({ bins: [fakeImage(0, 3)], issame: [true] })).toThrow(/1 pairs need 2 images/);
    expect(() => parseInsightfaceBin(new Uint8Array([1, 2, 3]), "x.bin")).toThrow(/^x\.bin: /);
  });
});

describe("insightface .bin writer = CPython pickle.dump((bins, issame), protocol=4/5)", () => {
  it("re-encoding the Python-written file gives the same bytes", () => {
    const bytes = readFileSync(file("py3-highest.bin"));
    expect(Buffer.from(encodeInsightfaceBin(parseInsightfaceBin(bytes), 5)).equals(bytes)).toBe(true);
  });

  for (const c of golden.writerCases) {
    it(`${c.name}, protocol ${c.protocol} (${c.sizes.length} images)`, () => {
      const bin = { bins: c.sizes.map((n: number, i: number) => fakeImage(i, n)), issame: c.issame.map((v: number) => v === 1) };
      const out = encodeInsightfaceBin(bin, c.protocol);
      expect(out.length).toBe(c.length);
      expect(createHash("sha256").update(out).digest("hex")).toBe(c.sha256);
      const back = parseInsightfaceBin(out);
      expect(back.issame).toEqual(bin.issame);
      expect(back.bins.map((b) => b.length)).toEqual(c.sizes);
    });
  }
});
