import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  checkMetaAlignment,
  parseFaceTidMid,
  parseName5ptsScore,
  parseTemplatePairs,
  readFaceTidMid,
  readName5ptsScore,
  readTemplatePairs,
} from "../../src/metrics/ijbc-meta";
import { ijbImageFeatures, poolTemplates, scoreTemplatePairs, sumTemplateFeatures } from "../../src/metrics/ijbc-templates";
import { TemplatePooler } from "../../src/metrics/ijbc-template-pooler";
import { tarAtFmr } from "../../src/metrics/ijbc";
import { rocCurve } from "../../src/metrics/roc";
import { readNpy } from "../../src/metrics/npy";
import { LineSplitter } from "../../src/metrics/line-reader";
import { expectExact, GOLDEN, loadGolden } from "./golden";

const golden = loadGolden("ijb.json");
const META = path.join(GOLDEN, "ijb", "meta");

describe("IJB meta files", () => {
  it("streams the three files like eval_ijbc.py reads them", async () => {
    const faces = await readFaceTidMid(path.join(META, "ijbc_face_tid_mid.txt"));
    const lmk = await readName5ptsScore(path.join(META, "ijbc_name_5pts_score.txt"));
    const pairs = await readTemplatePairs(path.join(META, "ijbc_template_pair_label.txt"));
    expect(faces.images.length).toBe(golden.images);
    expect(faces.images[0]).toBe("1.jpg");
    expectExact(lmk.scores, golden.faceness, "detector scores (float32)");
    expectExact(lmk.landmarks, golden.landmarks, "landmarks (float32)");
    expect(Array.from(pairs.t1)).toEqual(golden.pairs.t1);
    expect(Array.from(pairs.t2)).toEqual(golden.pairs.t2);
    expect(Array.from(pairs.labels)).toEqual(golden.pairs.label);
    checkMetaAlignment(faces, lmk);
    // the in-memory parsers agree with the streaming ones
    const again = parseFaceTidMid(readFileSync(path.join(META, "ijbc_face_tid_mid.txt")));
    expect(Array.from(again.templates)).toEqual(Array.from(faces.templates));
    expect(Array.from(again.medias)).toEqual(Array.from(faces.medias));
  });

  it("CRLF line ends, blank lines, tabs and chunk boundaries anywhere", () => {
    const text = "1.jpg 5 7\r\n\r\n2.jpg\t5\t8\n  3.jpg 6 9  \n4.jpg -1 2";
    const bytes = new TextEncoder().encode(text);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const got: Array<[string, number]> = [];
      const sp = new LineSplitter((b, s, e, n) => got.push([new TextDecoder().decode(b.subarray(s, e)), n]));
      sp.push(bytes.subarray(0, cut));
      for (let i = cut; i < bytes.length; i++) sp.push(bytes.subarray(i, i + 1));
      sp.end();
      expect(got).toEqual([["1.jpg 5 7", 1], ["", 2], ["2.jpg\t5\t8", 3], ["  3.jpg 6 9  ", 4], ["4.jpg -1 2", 5]]);
    }
    const f = parseFaceTidMid(bytes);
    expect(f.images).toEqual(["1.jpg", "2.jpg", "3.jpg", "4.jpg"]);
    expect(Array.from(f.templates)).toEqual([5, 5, 6, -1]);
    expect(Array.from(f.medias)).toEqual([7, 8, 9, 2]);
  });

  it("errors name the file and the line", async () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(() => parseTemplatePairs(enc("1 2 1\n3 4\n"), "pairs.txt")).toThrow(/^pairs\.txt:2: expected 3 fields/);
    expect(() => parseTemplatePairs(enc("1 2 1\n\n3 x 0\n"), "pairs.txt")).toThrow(/^pairs\.txt:3: second template id is not an integer: "3 x 0"/);
    expect(() => parseTemplatePairs(enc("1 2 2\n"), "p.txt")).toThrow(/^p\.txt:1: label must be 0 or 1/);
    expect(() => parseFaceTidMid(enc("a.jpg 1 2\nb.jpg 1 2.5\n"), "faces.txt")).toThrow(/^faces\.txt:2: media id is not an integer/);
    expect(() => parseName5ptsScore(enc("a.jpg 1 2 3 4 5 6 7 8 9 10 0.9\nb.jpg 1 2 3 4 5 6 7 8 9 ten 0.9\n"), "l.txt")).toThrow(
      /^l\.txt:2: field 11 \("ten"\) is not a number/,
    );
    expect(() => parseName5ptsScore(enc("a.jpg 1 2 3 0.5\n"), "l.txt")).toThrow(/^l\.txt:1: expected 12 fields/);
    const dir = mkdtempSync(path.join(os.tmpdir(), "ijb-meta-"));
    const file = path.join(dir, "ijbc_template_pair_label.txt");
    writeFileSync(file, "1 2 1\n".repeat(300_000) + "1 2 1 9\n");
    await expect(readTemplatePairs(file)).rejects.toThrow(`${file}:300001: expected 3 fields`);
    const lmk = parseName5ptsScore(enc("a.jpg 1 2 3 4 5 6 7 8 9 10 0.9\n"));
    const faces = parseFaceTidMid(enc("b.jpg 1 2\n"));
    expect(() => checkMetaAlignment(faces, lmk)).toThrow(/image 1 is "b\.jpg" in face_tid_mid but "a\.jpg"/);
  });

  it("python float spellings in the landmark file", () => {
    const r = parseName5ptsScore(new TextEncoder().encode("a.jpg 1e2 -2.5 .5 5. inf -Infinity nan +3 0 0 0.1\n"));
    expect(Array.from(r.landmarks.subarray(0, 8))).toEqual([100, -2.5, 0.5, 5, Infinity, -Infinity, NaN, 3]);
    expect(r.scores[0]).toBe(Math.fround(0.1));
  });
});

describe("template pooling and scoring = eval_ijbc.py (golden)", () => {
  const original = readNpy(path.join(GOLDEN, "ijb", "features-original.npy"));
  const flipped = readNpy(path.join(GOLDEN, "ijb", "features-flipped.npy"));
  const dim = golden.dim;
  for (const cfg of golden.configs) {
    const name = `flip=${cfg.flip} normalizeImages=${cfg.normalizeImages} detectorScore=${cfg.detectorScore}`;
    it(name, async () => {
      const faces = await readFaceTidMid(path.join(META, "ijbc_face_tid_mid.txt"));
      const lmk = await readName5ptsScore(path.join(META, "ijbc_name_5pts_score.txt"));
      const pairs = await readTemplatePairs(path.join(META, "ijbc_template_pair_label.txt"));
      const img = ijbImageFeatures(original.data, dim, {
        flipped: cfg.flip ? flipped.data : undefined,
        normalizeImages: cfg.normalizeImages,
        detectorScores: cfg.detectorScore ? lmk.scores : undefined,
      });
      expectExact(img, cfg.imageFeatures, "img_input_feats");
      const sums = sumTemplateFeatures(img, dim, faces.templates, faces.medias);
      expect(Array.from(sums.templateIds)).toEqual(cfg.templateIds);
      expectExact(sums.features, cfg.templateSums, "template sums (before normalize)");
      const pooled = poolTemplates(img, dim, faces.templates, faces.medias);
      expectExact(pooled.features, cfg.templateFeatures, "template features");
      const scores = scoreTemplatePairs(pooled, pairs.t1, pairs.t2);
      expectExact(scores, cfg.scores, "pair scores");
      const roc = rocCurve(pairs.labels, scores);
      expectExact(roc.fpr, cfg.roc.fpr, "fpr");
      expectExact(roc.tpr, cfg.roc.tpr, "tpr");
      expectExact(roc.thresholds, cfg.roc.thresholds, "thresholds");
      const tar = tarAtFmr(roc);
      expectExact(tar.map((t) => t.tar), cfg.tar, "TAR@FMR");
      expect(tar.map((t) => t.index)).toEqual(cfg.tarIndex);
    });
  }

  it("unknown template ids and shape mismatches are errors", () => {
    const feats = new Float32Array([1, 0, 0, 1]);
    const pooled = poolTemplates(feats, 2, Int32Array.from([4, 9]), Int32Array.from([1, 1]));
    expect(Array.from(pooled.templateIds)).toEqual([4, 9]);
    expect(Array.from(scoreTemplatePairs(pooled, Int32Array.from([4]), Int32Array.from([9])))).toEqual([0]);
    expect(() => scoreTemplatePairs(pooled, Int32Array.from([4]), Int32Array.from([5]))).toThrow(/template 5, which has no images/);
    expect(() => sumTemplateFeatures(feats, 2, Int32Array.from([1]), Int32Array.from([1]))).toThrow(/2 image features but 1 template ids/);
    expect(() => ijbImageFeatures(feats, 2, { detectorScores: new Float32Array(3) })).toThrow(/2 images but 3 detector scores/);
  });
});

describe("name_5pts_score lines split like eval_ijbc.py (strip, then split(' '))", () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  it("surrounding whitespace is dropped, single spaces separate", () => {
    const r = parseName5ptsScore(enc("\t a.jpg 1 2 3 4 5 6 7 8 9 10 0.5 \r\n"));
    expect(r.images).toEqual(["a.jpg"]);
    expect(Array.from(r.landmarks)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
  it("two spaces in a row make an empty field, a tab separates nothing", () => {
    expect(() => parseName5ptsScore(enc("a.jpg 1  2 3 4 5 6 7 8 9 10 0.5\n"), "l.txt")).toThrow(/^l\.txt:1: expected 12 fields .* separated by single spaces, got 13/);
    expect(() => parseName5ptsScore(enc("a.jpg 1\t2 3 4 5 6 7 8 9 10 0.5\n"), "l.txt")).toThrow(/got 11/);
    // "10\t" is one field, and float("10\t") is 10.0 in Python
    expect(parseName5ptsScore(enc("a.jpg 1 2 3 4 5 6 7 8 9 10\t 0.5\n")).landmarks[9]).toBe(10);
  });
});

describe("TemplatePooler: one streaming pass = image2template_feature in memory", () => {
  /** eval_ijbc.py's loops, written plainly: per template (ascending), media (ascending), images in file order. */
  function naive(feats: Float32Array, dim: number, templates: Int32Array, medias: Int32Array): Float64Array {
    const f32 = Math.fround;
    const tids = [...new Set(templates)].sort((a, b) => a - b);
    const out = new Float64Array(tids.length * dim);
    tids.forEach((t, ti) => {
      const rows = [...templates.keys()].filter((i) => templates[i] === t);
      const mids = [...new Set(rows.map((i) => medias[i]!))].sort((a, b) => a - b);
      const acc = new Float32Array(dim);
      for (const m of mids) {
        const members = rows.filter((i) => medias[i] === m);
        const mean = new Float32Array(dim);
        for (const i of members) for (let j = 0; j < dim; j++) mean[j] = f32(mean[j]! + feats[i * dim + j]!);
        if (members.length > 1) for (let j = 0; j < dim; j++) mean[j] = f32(mean[j]! / members.length);
        for (let j = 0; j < dim; j++) acc[j] = f32(acc[j]! + mean[j]!);
      }
      out.set(acc, ti * dim);
    });
    return out;
  }

  it("images in random order, added in blocks of random sizes", () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const rows = 3000, dim = 7;
    const templates = Int32Array.from({ length: rows }, () => 1 + Math.floor(rand() * 120) * 3);
    const medias = Int32Array.from({ length: rows }, () => Math.floor(rand() * 40));
    const feats = Float32Array.from({ length: rows * dim }, () => rand() * 4 - 2);
    const pooler = new TemplatePooler(templates, medias, dim);
    for (let start = 0; start < rows; ) {
      const n = Math.min(rows - start, 1 + Math.floor(rand() * 200));
      pooler.addRows(feats.subarray(start * dim, (start + n) * dim));
      start += n;
    }
    const got = pooler.result();
    expect(Array.from(got.templateIds)).toEqual([...new Set(templates)].sort((a, b) => a - b));
    expectExact(got.features, naive(feats, dim, templates, medias), "template sums");
    // Random order keeps most media open; grouped by template, only one template's at a time.
    expect(pooler.peakHeldRows).toBeGreaterThan(100);
    const order = [...templates.keys()].sort((a, b) => templates[a]! - templates[b]! || a - b);
    const grouped = new TemplatePooler(Int32Array.from(order, (i) => templates[i]!), Int32Array.from(order, (i) => medias[i]!), dim);
    grouped.addRows(Float32Array.from(order.flatMap((i) => Array.from(feats.subarray(i * dim, (i + 1) * dim)))));
    expect(grouped.peakHeldRows).toBeLessThanOrEqual(40);
  });

  it("refuses more rows than the meta lists, and a result before all rows", () => {
    const pooler = new TemplatePooler(Int32Array.from([1, 2]), Int32Array.from([1, 1]), 2);
    pooler.addRows(new Float32Array(2));
    expect(() => pooler.result()).toThrow(/1 of 2 rows were added/);
    expect(() => pooler.addRows(new Float32Array(4))).toThrow(/3 rows given, the meta lists 2/);
  });
});
