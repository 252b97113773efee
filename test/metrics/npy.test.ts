import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { encodeNpyFloat32, npyFloat32Header, openNpyRows, parseNpy, readNpy, writeNpyFloat32 } from "../../src/metrics/npy";
import { float16ToFloat32 } from "../../src/metrics/float16";
import { GOLDEN, loadGolden } from "./golden";

const golden = loadGolden("npy.json");
const file = (name: string) => path.join(GOLDEN, "npy", `${name}.npy`);
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe(".npy reader (numpy-written files)", () => {
  for (const [name, exp] of Object.entries(golden.files) as Array<[string, { shape: number[]; descr: string; float32Bits: number[] }]>) {
    it(`${name}: shape ${JSON.stringify(exp.shape)}, ${exp.descr}`, () => {
      for (const arr of [readNpy(file(name)), parseNpy(readFileSync(file(name)), name)]) {
        expect(arr.shape).toEqual(exp.shape);
        expect(arr.descr).toBe(exp.descr);
        expect(bits(arr.data)).toEqual(exp.float32Bits);
      }
    });
  }

  for (const [name, message] of Object.entries(golden.errors) as Array<[string, string]>) {
    it(`rejects ${name} with a clear error`, () => {
      expect(() => readNpy(file(name))).toThrow(message);
      expect(() => readNpy(file(name))).toThrow(file(name));
      expect(() => parseNpy(readFileSync(file(name)), "x.npy")).toThrow(message);
    });
  }

  it("rejects what is not a .npy file", () => {
    expect(() => parseNpy(new TextEncoder().encode("hello world, not numpy"), "a.npy")).toThrow(/a\.npy: not a \.npy file/);
    expect(() => parseNpy(new Uint8Array([0x93, 0x4e, 0x55]), "b.npy")).toThrow(/truncated inside its header/);
  });

  it("float16 -> float32 equals numpy's astype(np.float32) for all 65536 halves, NaN payloads included", () => {
    const halves = new Uint16Array(65536);
    for (let h = 0; h < 65536; h++) halves[h] = h;
    const f = float16ToFloat32(halves);
    const digest = createHash("sha256").update(new Uint8Array(f.buffer)).digest("hex");
    expect(digest).toBe(golden.allHalvesToFloat32Sha256);
    expect(f[0x3c00]).toBe(1);
    expect(f[0x0001]).toBe(2 ** -24);
    expect(f[0xfc00]).toBe(-Infinity);
  });
});

describe(".npy writer", () => {
  for (const name of ["f32-2d", "f32-1d", "f32-0d", "f32-empty"]) {
    it(`${name}: byte-identical to np.save`, () => {
      const bytes = readFileSync(file(name));
      const arr = parseNpy(bytes, name);
      expect(Buffer.from(encodeNpyFloat32(arr.data, arr.shape)).equals(bytes)).toBe(true);
    });
  }

  it("round trip through a file, and shape/data mismatch is an error", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "npy-"));
    const data = Float32Array.from({ length: 24 }, (_, i) => (i - 7) / 3);
    writeNpyFloat32(path.join(dir, "a.npy"), data, [2, 3, 4]);
    const back = readNpy(path.join(dir, "a.npy"));
    expect(back.shape).toEqual([2, 3, 4]);
    expect(bits(back.data)).toEqual(bits(data));
    expect(() => encodeNpyFloat32(data, [5, 5])).toThrow(/holds 25 values, data has 24/);
  });
});

describe(".npy rows a block at a time (openNpyRows)", () => {
  it("any split of rows reads the same float32 bits as the whole file, float32 and float16", () => {
    for (const name of ["f32-2d", "f16-2d", "f32-v2", "f32-v3"]) {
      const whole = readNpy(file(name));
      const reader = openNpyRows(file(name));
      try {
        expect([reader.rows, reader.cols]).toEqual(whole.shape);
        for (let split = 0; split <= reader.rows; split++) {
          const a = reader.readRows(0, split);
          const b = reader.readRows(split, reader.rows - split, new Float32Array(reader.rows * reader.cols));
          expect([...bits(a), ...bits(b)]).toEqual(bits(whole.data));
        }
        expect(() => reader.readRows(1, reader.rows)).toThrow(/outside the file's/);
      } finally {
        reader.close();
      }
    }
  });

  it("refuses 1-D and truncated files; a header written alone is np.save's", () => {
    expect(() => openNpyRows(file("f32-1d"))).toThrow(/expected a 2-D array/);
    expect(() => openNpyRows(file("bad-truncated"))).toThrow(/expected 60 data bytes/);
    const data = Float32Array.from({ length: 12 }, (_, i) => i / 3);
    const encoded = encodeNpyFloat32(data, [3, 4]);
    expect(Array.from(npyFloat32Header([3, 4]))).toEqual(Array.from(encoded.subarray(0, encoded.length - 48)));
  });
});
