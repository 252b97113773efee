// Parsers for the IJB-B/C meta files (insightface layout), streaming line by line. Blank lines
// are skipped; any other malformed line is an error naming the file and the line.
import {
  forEachLine,
  LineSplitter,
  lineText,
  parseIntToken,
  tokenBounds,
  tokenText,
  type LineHandler,
} from "./line-reader";

class IntList {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  toArray(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

function fail(file: string, lineNo: number, why: string, buf: Uint8Array, s: number, e: number): never {
  throw new Error(`${file}:${lineNo}: ${why}: "${lineText(buf, s, e)}"`);
}

function int32(file: string, lineNo: number, what: string, buf: Uint8Array, s: number, e: number, line: [number, number]): number {
  const v = parseIntToken(buf, s, e);
  if (!Number.isSafeInteger(v) || v < -2147483648 || v > 2147483647) {
    fail(file, lineNo, `${what} is not an integer`, buf, line[0], line[1]);
  }
  return v;
}

export interface FaceTidMid {
  images: string[];
  templates: Int32Array;
  medias: Int32Array;
}

function faceTidMidParser(file: string) {
  const images: string[] = [];
  const templates = new IntList();
  const medias = new IntList();
  const tok: number[] = [];
  const onLine: LineHandler = (buf, s, e, n) => {
    const k = tokenBounds(buf, s, e, tok);
    if (k === 0) return;
    if (k !== 3) fail(file, n, `expected 3 fields "image template_id media_id", got ${k}`, buf, s, e);
    images.push(tokenText(buf, tok[0], tok[1]));
    templates.push(int32(file, n, "template id", buf, tok[2], tok[3], [s, e]));
    medias.push(int32(file, n, "media id", buf, tok[4], tok[5], [s, e]));
  };
  const result = (): FaceTidMid => ({ images, templates: templates.toArray(), medias: medias.toArray() });
  return { onLine, result };
}

const FLOAT = /^[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|inf|infinity|nan)$/i;

/** Python's float(text) for the usual spellings; undefined when Python would reject it. */
function pythonFloat(raw: string): number | undefined {
  const text = raw.trim(); // float() ignores surrounding whitespace (a tab inside a field)
  if (!FLOAT.test(text)) return undefined;
  const body = text.replace(/^[+-]/, "").toLowerCase();
  const sign = text.startsWith("-") ? -1 : 1;
  if (body === "nan") return NaN;
  if (body === "inf" || body === "infinity") return sign * Infinity;
  return Number(text);
}

export interface Name5ptsScore {
  images: string[];
  /** 10 values per image: x1 y1 ... x5 y5 (float32, as eval_ijbc.py reads them). */
  landmarks: Float32Array;
  /** Detection ("faceness") score per image, float32. */
  scores: Float32Array;
}

const isPythonSpace = (b: number) => b === 32 || (b >= 9 && b <= 13);

/**
 * eval_ijbc.py's `line.strip().split(' ')`: surrounding whitespace dropped, then every single
 * space separates two fields, so two spaces in a row make an empty field (float('') fails there)
 * and a tab does not separate. Returns the field count; bounds in `out` as tokenBounds does.
 */
function splitOnSingleSpaces(buf: Uint8Array, start: number, end: number, out: number[]): number {
  out.length = 0;
  while (start < end && isPythonSpace(buf[start]!)) start++;
  while (end > start && isPythonSpace(buf[end - 1]!)) end--;
  if (start === end) return 0;
  let s = start;
  for (let i = start; i <= end; i++) {
    if (i === end || buf[i] === 32) {
      out.push(s, i);
      s = i + 1;
    }
  }
  return out.length / 2;
}

function name5ptsParser(file: string) {
  const images: string[] = [];
  let landmarks = new Float32Array(10 * 1024);
  let scores = new Float32Array(1024);
  const tok: number[] = [];
  const onLine: LineHandler = (buf, s, e, n) => {
    const k = splitOnSingleSpaces(buf, s, e, tok);
    if (k === 0) return;
    if (k !== 12) fail(file, n, `expected 12 fields "image x1 y1 ... x5 y5 score" separated by single spaces, got ${k}`, buf, s, e);
    const i = images.length;
    if (i === scores.length) {
      const l2 = new Float32Array(landmarks.length * 2);
      l2.set(landmarks);
      landmarks = l2;
      const s2 = new Float32Array(scores.length * 2);
      s2.set(scores);
      scores = s2;
    }
    images.push(tokenText(buf, tok[0], tok[1]));
    for (let f = 1; f < 12; f++) {
      const text = tokenText(buf, tok[2 * f], tok[2 * f + 1]);
      const v = pythonFloat(text);
      if (v === undefined) fail(file, n, `field ${f + 1} ("${text}") is not a number`, buf, s, e);
      // float(text) then float32, like np.array([...], dtype=np.float32) / .astype(np.float32)
      if (f < 11) landmarks[i * 10 + f - 1] = v;
      else scores[i] = v;
    }
  };
  const result = (): Name5ptsScore => ({
    images,
    landmarks: landmarks.slice(0, images.length * 10),
    scores: scores.slice(0, images.length),
  });
  return { onLine, result };
}

export interface TemplatePairs {
  t1: Int32Array;
  t2: Int32Array;
  /** 1 = same identity, 0 = different. */
  labels: Uint8Array;
}

function pairParser(file: string) {
  const t1 = new IntList();
  const t2 = new IntList();
  const labels = new IntList();
  const tok: number[] = [];
  const onLine: LineHandler = (buf, s, e, n) => {
    const k = tokenBounds(buf, s, e, tok);
    if (k === 0) return;
    if (k !== 3) fail(file, n, `expected 3 fields "template1 template2 label", got ${k}`, buf, s, e);
    t1.push(int32(file, n, "first template id", buf, tok[0], tok[1], [s, e]));
    t2.push(int32(file, n, "second template id", buf, tok[2], tok[3], [s, e]));
    const label = parseIntToken(buf, tok[4], tok[5]);
    if (label !== 0 && label !== 1) fail(file, n, "label must be 0 or 1", buf, s, e);
    labels.push(label);
  };
  const result = (): TemplatePairs => ({ t1: t1.toArray(), t2: t2.toArray(), labels: Uint8Array.from(labels.toArray()) });
  return { onLine, result };
}

type Parser<T> = (file: string) => { onLine: LineHandler; result: () => T };

async function readWith<T>(make: Parser<T>, path: string): Promise<T> {
  const p = make(path);
  await forEachLine(path, p.onLine);
  return p.result();
}
function parseWith<T>(make: Parser<T>, data: Uint8Array, name: string): T {
  const p = make(name);
  const splitter = new LineSplitter(p.onLine);
  splitter.push(data);
  splitter.end();
  return p.result();
}

/** `ijbc_face_tid_mid.txt`: "image template_id media_id" per line. */
export const readFaceTidMid = (path: string): Promise<FaceTidMid> => readWith(faceTidMidParser, path);
export const parseFaceTidMid = (data: Uint8Array, name = "ijbc_face_tid_mid.txt"): FaceTidMid =>
  parseWith(faceTidMidParser, data, name);

/** `ijbc_name_5pts_score.txt`: "image x1 y1 ... x5 y5 score" per line. */
export const readName5ptsScore = (path: string): Promise<Name5ptsScore> => readWith(name5ptsParser, path);
export const parseName5ptsScore = (data: Uint8Array, name = "ijbc_name_5pts_score.txt"): Name5ptsScore =>
  parseWith(name5ptsParser, data, name);

/** `ijbc_template_pair_label.txt`: "template1 template2 label" per line. */
export const readTemplatePairs = (path: string): Promise<TemplatePairs> => readWith(pairParser, path);
export const parseTemplatePairs = (data: Uint8Array, name = "ijbc_template_pair_label.txt"): TemplatePairs =>
  parseWith(pairParser, data, name);

/**
 * eval_ijbc.py takes image features in name_5pts_score order and template/media ids in
 * face_tid_mid order, row by row: both files must list the same images in the same order.
 */
export function checkMetaAlignment(faces: FaceTidMid, landmarks: Name5ptsScore): void {
  if (faces.images.length !== landmarks.images.length) {
    throw new Error(
      `IJB meta: face_tid_mid lists ${faces.images.length} images but name_5pts_score lists ${landmarks.images.length}`,
    );
  }
  for (let i = 0; i < faces.images.length; i++) {
    if (faces.images[i] !== landmarks.images[i]) {
      throw new Error(
        `IJB meta: image ${i + 1} is "${faces.images[i]}" in face_tid_mid but "${landmarks.images[i]}" in name_5pts_score`,
      );
    }
  }
}
