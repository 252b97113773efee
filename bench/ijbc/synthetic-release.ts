// A synthetic IJB-C at full size for the bench: the three meta files and precomputed features
// (original + flipped .npy, float32) with the protocol's exact counts: 469,375 images, 23,124
// templates, 15,658,489 template pairs of which 19,557 genuine. Images are listed grouped by
// template (as in insightface's meta files); each template holds stills (one image per media)
// and videos (several frames of one media). A feature is its subject's centre plus noise, so
// the TARs are neither 0 nor 1. Deterministic (xorshift), written a block at a time.
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import path from "node:path";
import { npyFloat32Header } from "../../src/metrics";

export interface SyntheticIjbSizes {
  images: number;
  templates: number;
  pairs: number;
  genuine: number;
  subjects: number;
  dim: number;
}

export const IJBC_FULL_SIZE: SyntheticIjbSizes = { images: 469_375, templates: 23_124, pairs: 15_658_489, genuine: 19_557, subjects: 3_531, dim: 512 };

class XorShift {
  constructor(private s: number) {}
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

function writeLines(file: string, count: number, line: (i: number) => string): void {
  const fd = openSync(file, "w");
  try {
    let chunk: string[] = [];
    for (let i = 0; i < count; i++) {
      chunk.push(line(i));
      if (chunk.length === 100_000) {
        writeSync(fd, chunk.join("\n") + "\n");
        chunk = [];
      }
    }
    if (chunk.length) writeSync(fd, chunk.join("\n") + "\n");
  } finally {
    closeSync(fd);
  }
}

export interface SyntheticIjbFiles {
  dir: string;
  original: string;
  flipped: string;
  /** Distinct (template, media) pairs: the pooler's worst case in rows held. */
  mediaGroups: number;
}

export function writeSyntheticIjbc(dir: string, sizes: SyntheticIjbSizes = IJBC_FULL_SIZE, seed = 20261130): SyntheticIjbFiles {
  const rng = new XorShift(seed);
  const { images, templates, pairs, genuine, subjects, dim } = sizes;
  mkdirSync(path.join(dir, "meta"), { recursive: true });
  // Images per template: at least 1, the rest spread at random.
  const perTemplate = new Int32Array(templates).fill(1);
  for (let i = templates; i < images; i++) perTemplate[rng.int(templates)]!++;
  const templateId = (t: number) => 1 + t * 7;
  const subjectOf = (t: number) => t % subjects;
  const imageTemplate = new Int32Array(images);
  const imageMedia = new Int32Array(images);
  let image = 0;
  let nextMedia = 1;
  let mediaGroups = 0;
  for (let t = 0; t < templates; t++) {
    let left = perTemplate[t]!;
    while (left > 0) {
      const frames = rng.next() < 0.6 ? 1 : Math.min(left, 2 + rng.int(19));
      const media = rng.next() < 0.1 && nextMedia > 100 ? 1 + rng.int(nextMedia - 1) : nextMedia++; // some media reused across templates
      mediaGroups++;
      for (let k = 0; k < frames; k++, image++) {
        imageTemplate[image] = t;
        imageMedia[image] = media;
      }
      left -= frames;
    }
  }
  writeLines(path.join(dir, "meta", "ijbc_face_tid_mid.txt"), images, (i) => `${i + 1}.jpg ${templateId(imageTemplate[i]!)} ${imageMedia[i]}`);
  writeLines(path.join(dir, "meta", "ijbc_name_5pts_score.txt"), images, (i) =>
    `${i + 1}.jpg 38.29 51.69 73.53 51.50 56.02 71.73 41.54 92.36 70.72 92.20 ${(0.5 + 0.5 * ((i * 2654435761) % 1000) / 1000).toFixed(6)}`,
  );
  // Genuine pairs: templates of one subject; impostors: templates of different subjects.
  const bySubject: number[][] = Array.from({ length: subjects }, () => []);
  for (let t = 0; t < templates; t++) bySubject[subjectOf(t)]!.push(t);
  writeLines(path.join(dir, "meta", "ijbc_template_pair_label.txt"), pairs, (i) => {
    if (i < genuine) {
      const list = bySubject[i % subjects]!;
      const a = rng.int(list.length);
      const b = (a + 1 + rng.int(list.length - 1)) % list.length;
      return `${templateId(list[a]!)} ${templateId(list[b]!)} 1`;
    }
    const a = rng.int(templates);
    let b = rng.int(templates);
    while (subjectOf(b) === subjectOf(a)) b = rng.int(templates);
    return `${templateId(a)} ${templateId(b)} 0`;
  });
  // Features: subject centre + noise; flipped = original + a little more noise.
  const centres = new Float32Array(subjects * dim);
  for (let i = 0; i < centres.length; i++) centres[i] = rng.next() * 2 - 1;
  const files = { original: path.join(dir, "features-original.npy"), flipped: path.join(dir, "features-flipped.npy") };
  const fdo = { fd: openSync(files.original, "w") };
  const fdf = { fd: openSync(files.flipped, "w") };
  const head = npyFloat32Header([images, dim]);
  writeSync(fdo.fd, head);
  writeSync(fdf.fd, head);
  const block = 4096;
  const a = new Float32Array(block * dim);
  const b = new Float32Array(block * dim);
  for (let start = 0; start < images; start += block) {
    const n = Math.min(block, images - start);
    for (let r = 0; r < n; r++) {
      const c = subjectOf(imageTemplate[start + r]!) * dim;
      for (let j = 0; j < dim; j++) {
        const v = centres[c + j]! + (rng.next() - 0.5) * 16;
        a[r * dim + j] = v;
        b[r * dim + j] = v + (rng.next() - 0.5) * 2;
      }
    }
    writeSync(fdo.fd, a, 0, n * dim * 4);
    writeSync(fdf.fd, b, 0, n * dim * 4);
  }
  closeSync(fdo.fd);
  closeSync(fdf.fd);
  return { dir, ...files, mediaGroups };
}
