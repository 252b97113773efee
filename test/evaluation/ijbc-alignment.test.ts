// 5-point alignment against Debian's python3-opencv 4.6 and python3-skimage 0.19
// (scripts/golden/make-ijbc-align-golden.py): cv2.imread pixels, the similarity matrix, and the
// warped 112x112 crops byte for byte, on JPEG and PNG crops (colour, grey, RGBA, 16-bit) of
// many sizes, most of which the warp reads past the edge of.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import {
  alignLooseCrop,
  ARCFACE_TEMPLATE,
  estimateSimilarity,
  imreadColor,
  invertAffine,
  warpAffineBilinear,
} from "../../src/runners/evaluate/align";
import { parseName5ptsScore } from "../../src/metrics";

const GOLDEN = path.join(import.meta.dirname, "golden", "ijbc");
const golden = JSON.parse(readFileSync(path.join(GOLDEN, "alignment.json"), "utf8"));
const CROPS = path.join(GOLDEN, "IJBC", "loose_crop");

/** RGB <-> BGR (the goldens hash OpenCV's BGR bytes). */
function swapRB(rgb: Uint8Array): Uint8Array {
  const out = Uint8Array.from(rgb);
  for (let i = 0; i < out.length; i += 3) {
    out[i] = rgb[i + 2]!;
    out[i + 2] = rgb[i]!;
  }
  return out;
}
const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("IJB-C 5-point alignment = eval_ijbc.py on Debian's OpenCV/skimage (golden)", () => {
  it("the template is eval_ijbc.py's float32 array + 8.0 in float32", () => {
    expect(Array.from(ARCFACE_TEMPLATE)).toEqual(golden.template);
  });

  it("covers grey, RGBA and 16-bit crops, and warps that read past the edge", () => {
    const formats = new Set(golden.images.map((i: any) => i.format));
    expect([...formats].sort()).toEqual(["jpg", "jpg-grey", "png", "png-16bit", "png-grey", "png-rgba"]);
    expect(golden.images.filter((i: any) => i.readsPastEdge).length).toBeGreaterThan(5);
    expect(golden.images.filter((i: any) => !i.readsPastEdge).length).toBeGreaterThan(0);
  });

  it("landmarks parse to the float32 values Python reads", () => {
    const meta = parseName5ptsScore(readFileSync(path.join(GOLDEN, "IJBC", "meta", "ijbc_name_5pts_score.txt")));
    golden.images.forEach((img: any, i: number) => {
      expect(meta.images[i]).toBe(img.name);
      expect(Array.from(meta.landmarks.subarray(i * 10, i * 10 + 10))).toEqual(img.landmarks);
    });
  });

  for (const img of golden.images) {
    it(`${img.name} (${img.format}, ${img.width}x${img.height}${img.readsPastEdge ? ", past the edge" : ""})`, async () => {
      const file = path.join(CROPS, img.name);
      const decoded = await imreadColor(file);
      expect([decoded.width, decoded.height]).toEqual([img.width, img.height]);
      expect(sha(swapRB(decoded.data)), "cv2.imread pixels").toBe(img.imreadSha256);

      const m = estimateSimilarity(img.landmarks, ARCFACE_TEMPLATE);
      m.forEach((v, k) => {
        expect(Math.abs(v - img.m64[k]), `M[${k}] vs float64 estimate`).toBeLessThan(1e-9);
        expect(Math.abs(v - img.m32[k]), `M[${k}] vs skimage float32`).toBeLessThan(1e-4);
      });

      // Identical pixels for the golden's own M, and for ours.
      expect(sha(swapRB(warpAffineBilinear(decoded, img.m64, 112, 112))), "warp of the golden M").toBe(img.alignedSha256);
      const aligned = await alignLooseCrop(file, img.landmarks);
      expect(sha(swapRB(aligned)), "alignLooseCrop").toBe(img.alignedSha256);
    });
  }

  it("the crops kept as pixels decode to the same bytes (a readable diff when a hash fails)", async () => {
    for (const img of golden.images.slice(0, 6)) {
      const want = await sharp(path.join(GOLDEN, "aligned", img.name.replace(/\.\w+$/, ".png"))).raw().toBuffer();
      const got = await alignLooseCrop(path.join(CROPS, img.name), img.landmarks);
      let differing = 0;
      for (let i = 0; i < got.length; i++) if (got[i] !== want[i]) differing++;
      expect(differing, img.name).toBe(0);
    }
  });

  it("the goldens tell the fixed-point warp from a floating-point bilinear one", async () => {
    let differing = 0;
    let total = 0;
    for (const img of golden.images.slice(0, 12)) {
      const src = await imreadColor(path.join(CROPS, img.name));
      const inv = invertAffine(img.m64);
      const exact = warpAffineBilinear(src, img.m64, 112, 112);
      for (let y = 0; y < 112; y++) {
        for (let x = 0; x < 112; x++) {
          const sx = inv[0]! * x + inv[1]! * y + inv[2]!;
          const sy = inv[3]! * x + inv[4]! * y + inv[5]!;
          const x0 = Math.floor(sx), y0 = Math.floor(sy);
          const fx = sx - x0, fy = sy - y0;
          for (let c = 0; c < 3; c++) {
            const at = (xx: number, yy: number) => (xx >= 0 && yy >= 0 && xx < src.width && yy < src.height ? src.data[(yy * src.width + xx) * 3 + c]! : 0);
            const v = (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) + fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1));
            total++;
            if (Math.round(v) !== exact[(y * 112 + x) * 3 + c]) differing++;
          }
        }
      }
    }
    expect(differing).toBeGreaterThan(total / 1000);
  });

  it("skimage's float32 M moves a handful of values (recorded, not used)", () => {
    const { valuesChanged, valuesTotal } = golden.float32M;
    expect(valuesChanged).toBeLessThan(valuesTotal / 10_000);
  });

  it("degenerate landmarks are an error, not a garbage crop", () => {
    expect(() => estimateSimilarity(new Array(10).fill(5), ARCFACE_TEMPLATE)).toThrow(/all landmarks are the same point/);
    expect(() => estimateSimilarity([1, 2, 3, 4, 5, 6, 7, 8, NaN, 0], ARCFACE_TEMPLATE)).toThrow(/landmark value 9 is NaN/);
  });
});

describe("loose crops are bounded", () => {
  it("a crop over 4096 x 4096 pixels is refused before it is decoded", async () => {
    const huge = await sharp({ create: { width: 5000, height: 4000, channels: 3, background: { r: 9, g: 9, b: 9 } } }).png({ compressionLevel: 1 }).toBuffer();
    await expect(imreadColor(huge)).rejects.toThrow(/pixel limit/i);
  });
});
