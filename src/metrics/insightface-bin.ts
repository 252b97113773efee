// insightface verification sets (lfw.bin, cfp_fp.bin, ...): a Python pickle of
// (bins, issame_list), bins = 2N encoded images (pair i = images 2i and 2i+1), issame_list = N
// booleans. Read with the `pickleparser` package; written the way insightface writes it,
// pickle.dump((bins, issame_list), f, protocol=pickle.HIGHEST_PROTOCOL), byte for byte as
// CPython's C pickler does (checked against CPython 3.11 in the golden tests).
import { readFileSync, writeFileSync } from "node:fs";
import { BufferReader, Parser } from "pickleparser";

export interface InsightfaceBin {
  /** Encoded images (JPEG/PNG bytes), views into the file buffer when read. */
  bins: Uint8Array[];
  issame: boolean[];
}

/**
 * Python 2 wrote `str` (BINSTRING / SHORT_BINSTRING), which insightface loads with
 * encoding='bytes'; pickleparser would decode those as text, so they come back as raw bytes here.
 */
class BytesStringReader extends BufferReader {
  override string(size: number, encoding: "ascii" | "utf-8"): string {
    if (encoding === "ascii") return this.bytes(size) as unknown as string;
    return super.string(size, encoding);
  }
}

function describe(v: unknown): string {
  if (v === null) return "None";
  if (v instanceof Uint8Array) return `bytes(${v.length})`;
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === "object") {
    const name = (v as { constructor?: { name?: string } }).constructor?.name;
    return name && name !== "Object" ? `a Python object (${name})` : "a Python object";
  }
  return `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}

export function parseInsightfaceBin(data: Uint8Array, name = "benchmark.bin"): InsightfaceBin {
  let obj: unknown;
  try {
    obj = new Parser().read(new BytesStringReader(data));
  } catch (e) {
    throw new Error(`${name}: not a readable pickle (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!Array.isArray(obj) || obj.length !== 2) {
    throw new Error(`${name}: expected a pickled tuple (bins, issame_list), got ${describe(obj)}`);
  }
  const [rawBins, rawIssame] = obj as [unknown, unknown];
  if (!Array.isArray(rawBins)) {
    throw new Error(`${name}: bins must be a list of encoded images (bytes), got ${describe(rawBins)}`);
  }
  if (!Array.isArray(rawIssame)) {
    throw new Error(`${name}: issame_list must be a list of booleans, got ${describe(rawIssame)}`);
  }
  const bins = rawBins.map((b, i) => {
    if (b instanceof Uint8Array) return b;
    throw new Error(`${name}: bins[${i}] is ${describe(b)}, expected bytes (numpy arrays and other objects are not supported)`);
  });
  const issame = rawIssame.map((v, i) => {
    if (typeof v === "boolean") return v;
    if (v === 0 || v === 1) return v === 1;
    throw new Error(`${name}: issame_list[${i}] is ${describe(v)}, expected a boolean`);
  });
  if (bins.length !== 2 * issame.length) {
    throw new Error(`${name}: ${issame.length} pairs need ${2 * issame.length} images, the file has ${bins.length}`);
  }
  return { bins, issame };
}

export function readInsightfaceBin(path: string): InsightfaceBin {
  return parseInsightfaceBin(readFileSync(path), path);
}

// ---- writer ----------------------------------------------------------------------------------

const FRAME_SIZE_TARGET = 64 * 1024;
const FRAME_SIZE_MIN = 4;
const OP = {
  PROTO: 0x80, FRAME: 0x95, MEMOIZE: 0x94, EMPTY_LIST: 0x5d, MARK: 0x28, APPEND: 0x61, APPENDS: 0x65,
  SHORT_BINBYTES: 0x43, BINBYTES: 0x42, BINBYTES8: 0x8e, NEWTRUE: 0x88, NEWFALSE: 0x89, TUPLE2: 0x86, STOP: 0x2e,
} as const;
const BATCHSIZE = 1000;

/** Pickle protocol 4/5 output with CPython's framing (frames of ~64 KiB, big bytes unframed). */
class PickleOut {
  private chunks: Uint8Array[] = [];
  private len = 0;
  private framing = false;
  private frameStart = -1;
  private frameHeader = -1; // index of the reserved 9-byte header chunk

  write(bytes: Uint8Array): void {
    if (this.framing && this.frameStart === -1) {
      this.frameStart = this.len;
      this.frameHeader = this.chunks.length;
      this.chunks.push(new Uint8Array(9));
      this.len += 9;
    }
    this.chunks.push(bytes);
    this.len += bytes.length;
  }
  op(...codes: number[]): void {
    this.write(Uint8Array.from(codes));
  }
  startFraming(): void {
    this.framing = true;
  }
  commitFrame(): void {
    if (!this.framing || this.frameStart === -1) return;
    const frameLen = this.len - this.frameStart - 9;
    if (frameLen >= FRAME_SIZE_MIN) {
      const h = this.chunks[this.frameHeader];
      h[0] = OP.FRAME;
      new DataView(h.buffer).setBigUint64(1, BigInt(frameLen), true);
    } else {
      this.chunks[this.frameHeader] = new Uint8Array(0);
      this.len -= 9;
    }
    this.frameStart = -1;
  }
  /** Checked at the start of every save(), as pickle.py's framer does. */
  boundary(): void {
    if (this.framing && this.frameStart !== -1 && this.len - this.frameStart - 9 >= FRAME_SIZE_TARGET) this.commitFrame();
  }
  /** Payloads of 64 KiB or more go outside any frame. */
  writeUnframed(header: Uint8Array, payload: Uint8Array): void {
    this.commitFrame();
    this.chunks.push(header, payload);
    this.len += header.length + payload.length;
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.len);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

export function encodeInsightfaceBin(bin: InsightfaceBin, protocol: 4 | 5 = 5): Uint8Array {
  if (bin.bins.length !== 2 * bin.issame.length) {
    throw new Error(`encodeInsightfaceBin: ${bin.issame.length} pairs need ${2 * bin.issame.length} images, got ${bin.bins.length}`);
  }
  const p = new PickleOut();
  const saveBytes = (b: Uint8Array) => {
    const n = b.length;
    if (n <= 0xff) {
      p.op(OP.SHORT_BINBYTES, n);
      p.write(b);
    } else {
      const big = n > 0xffffffff;
      const header = new Uint8Array(big ? 9 : 5);
      const view = new DataView(header.buffer);
      header[0] = big ? OP.BINBYTES8 : OP.BINBYTES;
      if (big) view.setBigUint64(1, BigInt(n), true);
      else view.setUint32(1, n, true);
      if (n >= FRAME_SIZE_TARGET) p.writeUnframed(header, b);
      else {
        p.write(header);
        p.write(b);
      }
    }
    p.op(OP.MEMOIZE);
  };
  const saveBool = (v: boolean) => p.op(v ? OP.NEWTRUE : OP.NEWFALSE);
  // CPython's batch_list_exact: a 1-element list uses APPEND, otherwise MARK ... APPENDS per 1000.
  const saveList = <T>(items: T[], save: (item: T) => void) => {
    p.op(OP.EMPTY_LIST, OP.MEMOIZE);
    if (items.length === 1) {
      p.boundary();
      save(items[0]);
      p.op(OP.APPEND);
      return;
    }
    let total = 0;
    while (total < items.length) {
      p.op(OP.MARK);
      for (let k = 0; k < BATCHSIZE && total < items.length; k++, total++) {
        p.boundary();
        save(items[total]);
      }
      p.op(OP.APPENDS);
    }
  };
  p.op(OP.PROTO, protocol);
  p.startFraming();
  p.boundary();
  saveList(bin.bins, saveBytes);
  p.boundary();
  saveList(bin.issame, saveBool);
  p.op(OP.TUPLE2, OP.MEMOIZE, OP.STOP);
  p.commitFrame();
  return p.bytes();
}

export function writeInsightfaceBin(path: string, bin: InsightfaceBin, protocol: 4 | 5 = 5): void {
  writeFileSync(path, encodeInsightfaceBin(bin, protocol));
}
