// numpy .npy files (format versions 1.0, 2.0, 3.0): float32 and float16 arrays in C order,
// read into a Float32Array; and a float32 writer producing the bytes np.save writes.
import { closeSync, openSync, readSync, fstatSync, writeFileSync } from "node:fs";
import { endianness } from "node:os";
import { float16ToFloat32 } from "./float16";

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const SUPPORTED: Record<string, 2 | 4> = { "<f4": 4, "<f2": 2 };
/**
 * The longest header read (numpy itself refuses headers over 10,000 bytes by default): the
 * length field is 4 bytes in format 2.0/3.0, and an unchecked 2^31 from a 13-byte file once
 * reached a native read as its length and aborted the process.
 */
export const MAX_NPY_HEADER_BYTES = 64 * 1024;

export interface NpyArray {
  data: Float32Array;
  shape: number[];
  /** dtype as stored in the file: '<f4' or '<f2'. */
  descr: string;
}

interface NpyHeader {
  descr: string;
  itemSize: 2 | 4;
  shape: number[];
  count: number;
  dataOffset: number;
}

function fail(name: string, why: string): never {
  throw new Error(`${name}: ${why}`);
}

/** Parses the fixed preamble + header dict from the first bytes of a file. */
function parseHeader(bytes: Uint8Array, name: string): NpyHeader | { need: number } {
  if (bytes.length < 10) return { need: 10 };
  for (let i = 0; i < 6; i++) if (bytes[i] !== MAGIC[i]) fail(name, "not a .npy file (bad magic string)");
  const major = bytes[6];
  if (major !== 1 && major !== 2 && major !== 3) fail(name, `unsupported .npy format version ${major}.${bytes[7]}`);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) return { need: 8 + lenBytes };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerLen > MAX_NPY_HEADER_BYTES) fail(name, `header length ${headerLen} is over the limit of ${MAX_NPY_HEADER_BYTES} bytes`);
  const dataOffset = 8 + lenBytes + headerLen;
  if (bytes.length < dataOffset) return { need: dataOffset };
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(8 + lenBytes, dataOffset));

  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    fail(name, `malformed .npy header ${JSON.stringify(header.trim())}`);
  }
  const itemSize = SUPPORTED[descr];
  if (!itemSize) {
    fail(name, `dtype '${descr}' is not supported; expected float32 ('<f4') or float16 ('<f2'), little-endian`);
  }
  if (fortran !== "False") {
    fail(name, "array is stored in Fortran order; save it in C order (np.ascontiguousarray) instead");
  }
  const shape = shapeText
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const v = Number(s.replace(/L$/, ""));
      if (!Number.isSafeInteger(v) || v < 0) fail(name, `bad shape (${shapeText})`);
      return v;
    });
  const count = shape.reduce((a, b) => a * b, 1);
  return { descr, itemSize, shape, count, dataOffset };
}

function checkEndianness(): void {
  if (endianness() !== "LE") throw new Error("npy: only little-endian hosts are supported");
}

function decode(raw: Uint8Array, header: NpyHeader): Float32Array {
  // Copy into fresh, aligned memory, then reinterpret (Buffer#slice would only be a view).
  const copy = new Uint8Array(header.count * header.itemSize);
  copy.set(raw.subarray(0, copy.length));
  if (header.itemSize === 4) return new Float32Array(copy.buffer, 0, header.count);
  return float16ToFloat32(new Uint16Array(copy.buffer, 0, header.count));
}

/** Parses a whole .npy file held in memory. */
export function parseNpy(bytes: Uint8Array, name = "array.npy"): NpyArray {
  checkEndianness();
  const h = parseHeader(bytes, name);
  if ("need" in h) fail(name, "file is truncated inside its header");
  const size = h.count * h.itemSize;
  if (bytes.length !== h.dataOffset + size) {
    fail(name, `expected ${size} data bytes for shape (${h.shape.join(", ")}), found ${bytes.length - h.dataOffset}`);
  }
  return { data: decode(bytes.subarray(h.dataOffset), h), shape: h.shape, descr: h.descr };
}

/** Reads a .npy file, reading the data straight into its final buffer. */
export function readNpy(path: string): NpyArray {
  checkEndianness();
  const fd = openSync(path, "r");
  try {
    const fileSize = fstatSync(fd).size;
    let head = new Uint8Array(0);
    let h: NpyHeader | { need: number } = { need: 10 };
    while ("need" in h) {
      if (h.need > fileSize) fail(path, "file is truncated inside its header");
      head = new Uint8Array(h.need);
      readSync(fd, head, 0, h.need, 0);
      h = parseHeader(head, path);
    }
    const size = h.count * h.itemSize;
    if (!Number.isSafeInteger(size) || fileSize !== h.dataOffset + size) {
      fail(path, `expected ${size} data bytes for shape (${h.shape.join(", ")}), found ${fileSize - h.dataOffset}`);
    }
    const buffer = new ArrayBuffer(size);
    const target = new Uint8Array(buffer);
    let done = 0;
    while (done < size) {
      const got = readSync(fd, target, done, Math.min(size - done, 1 << 30), h.dataOffset + done);
      if (got <= 0) fail(path, "unexpected end of file");
      done += got;
    }
    const data = h.itemSize === 4 ? new Float32Array(buffer) : float16ToFloat32(new Uint16Array(buffer));
    return { data, shape: h.shape, descr: h.descr };
  } finally {
    closeSync(fd);
  }
}

/** The bytes `np.save(path, arr.astype(np.float32))` writes (format 1.0, 64-byte aligned). */
export function encodeNpyFloat32(data: Float32Array, shape: readonly number[]): Uint8Array {
  checkEndianness();
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`npy: shape (${shape.join(", ")}) holds ${count} values, data has ${data.length}`);
  const header = npyFloat32Header(shape);
  const out = new Uint8Array(header.length + data.byteLength);
  out.set(header, 0);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), header.length);
  return out;
}

/** The preamble and header np.save writes before float32 data of `shape` (to stream the data after it). */
export function npyFloat32Header(shape: readonly number[]): Uint8Array {
  const shapeRepr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeRepr}, }`;
  // numpy leaves room to grow the first axis in place (GROWTH_AXIS_MAX_DIGITS = 21).
  if (shape.length > 0) header += " ".repeat(21 - String(shape[0]).length);
  const hlen = header.length + 1;
  const pad = 64 - ((8 + 2 + hlen) % 64);
  if (hlen + pad > 0xffff) throw new Error("npy: header too long for format 1.0");
  const out = new Uint8Array(10 + hlen + pad);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, hlen + pad, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.fill(0x20, 10 + header.length, 10 + header.length + pad);
  out[10 + header.length + pad] = 0x0a;
  return out;
}

export function writeNpyFloat32(path: string, data: Float32Array, shape: readonly number[]): void {
  writeFileSync(path, encodeNpyFloat32(data, shape));
}

/** A 2-D .npy file read a block of rows at a time (IJB-C features are ~1 GB per file). */
export interface NpyRowReader {
  shape: number[];
  descr: string;
  rows: number;
  cols: number;
  /** Rows [start, start + count) as float32, into `out` (count * cols values) when given. */
  readRows(start: number, count: number, out?: Float32Array): Float32Array;
  close(): void;
}

export function openNpyRows(path: string): NpyRowReader {
  checkEndianness();
  const fd = openSync(path, "r");
  try {
    const fileSize = fstatSync(fd).size;
    let h: NpyHeader | { need: number } = { need: 10 };
    while ("need" in h) {
      if (h.need > fileSize) fail(path, "file is truncated inside its header");
      const head = new Uint8Array(h.need);
      readSync(fd, head, 0, h.need, 0);
      h = parseHeader(head, path);
    }
    const header = h;
    if (header.shape.length !== 2) fail(path, `expected a 2-D array (rows, dim), got shape (${header.shape.join(", ")})`);
    const size = header.count * header.itemSize;
    if (fileSize !== header.dataOffset + size) {
      fail(path, `expected ${size} data bytes for shape (${header.shape.join(", ")}), found ${fileSize - header.dataOffset}`);
    }
    const [rows, cols] = header.shape as [number, number];
    let open = true;
    return {
      shape: header.shape,
      descr: header.descr,
      rows,
      cols,
      readRows(start, count, out) {
        if (!open) throw new Error(`${path}: reader is closed`);
        if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > rows) {
          throw new Error(`${path}: rows [${start}, ${start + count}) outside the file's ${rows}`);
        }
        const values = count * cols;
        const bytes = new Uint8Array(values * header.itemSize);
        let done = 0;
        const offset = header.dataOffset + start * cols * header.itemSize;
        while (done < bytes.length) {
          const got = readSync(fd, bytes, done, bytes.length - done, offset + done);
          if (got <= 0) fail(path, "unexpected end of file");
          done += got;
        }
        const decoded = header.itemSize === 4 ? new Float32Array(bytes.buffer, 0, values) : float16ToFloat32(new Uint16Array(bytes.buffer, 0, values));
        if (!out) return decoded;
        if (out.length < values) throw new Error(`${path}: output holds ${out.length} values, ${values} needed`);
        out.set(decoded);
        return out.subarray(0, values);
      },
      close() {
        if (open) closeSync(fd);
        open = false;
      },
    };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}
