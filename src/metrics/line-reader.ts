// Line-by-line reading of large text files in chunks, with 1-based line numbers for errors.
import { createReadStream } from "node:fs";

/** No meta line is anywhere near this long; a file without line breaks must not grow memory without bound. */
export const MAX_LINE_BYTES = 1 << 20;

export type LineHandler = (buf: Uint8Array, start: number, end: number, lineNo: number) => void;

/** Splits a byte stream into lines ("\n" or "\r\n"); empty lines are passed on too. */
export class LineSplitter {
  private carry: Uint8Array | null = null;
  private lineNo = 0;
  constructor(private readonly onLine: LineHandler) {}

  push(chunk: Uint8Array): void {
    const buf = chunk;
    let from = 0;
    if (this.carry) {
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        if (this.carry.length + chunk.length > MAX_LINE_BYTES) throw new Error(`line ${this.lineNo + 1} is longer than ${MAX_LINE_BYTES} bytes`);
        const merged = new Uint8Array(this.carry.length + chunk.length);
        merged.set(this.carry);
        merged.set(chunk, this.carry.length);
        this.carry = merged;
        return;
      }
      const line = new Uint8Array(this.carry.length + nl);
      line.set(this.carry);
      line.set(chunk.subarray(0, nl), this.carry.length);
      this.carry = null;
      this.emit(line, 0, line.length);
      from = nl + 1;
    }
    for (;;) {
      const nl = buf.indexOf(10, from);
      if (nl < 0) break;
      this.emit(buf, from, nl);
      from = nl + 1;
    }
    if (buf.length - from > MAX_LINE_BYTES) throw new Error(`line ${this.lineNo + 1} is longer than ${MAX_LINE_BYTES} bytes`);
    if (from < buf.length) this.carry = Uint8Array.prototype.slice.call(buf, from); // a copy, also for Buffers
  }

  end(): void {
    if (this.carry && this.carry.length > 0) this.emit(this.carry, 0, this.carry.length);
    this.carry = null;
  }

  private emit(buf: Uint8Array, start: number, end: number): void {
    this.lineNo++;
    if (end > start && buf[end - 1] === 13) end--;
    this.onLine(buf, start, end, this.lineNo);
  }
}

export async function forEachLine(path: string, onLine: LineHandler): Promise<void> {
  const splitter = new LineSplitter(onLine);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    splitter.push(chunk as Buffer);
  }
  splitter.end();
}

/** Whitespace-separated token boundaries of buf[start, end) as [s0, e0, s1, e1, ...]. */
export function tokenBounds(buf: Uint8Array, start: number, end: number, out: number[]): number {
  out.length = 0;
  let i = start;
  while (i < end) {
    while (i < end && (buf[i] === 32 || buf[i] === 9)) i++;
    if (i >= end) break;
    const s = i;
    while (i < end && buf[i] !== 32 && buf[i] !== 9) i++;
    out.push(s, i);
  }
  return out.length / 2;
}

/** A decimal integer token (optional sign), or NaN if the token is anything else. */
export function parseIntToken(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  let sign = 1;
  if (buf[i] === 45 || buf[i] === 43) {
    if (buf[i] === 45) sign = -1;
    i++;
  }
  if (i >= end) return NaN;
  let v = 0;
  for (; i < end; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return sign * v;
}

const utf8 = new TextDecoder("utf-8");
export const tokenText = (buf: Uint8Array, start: number, end: number): string => utf8.decode(buf.subarray(start, end));
/** The line (first 200 bytes) for error messages. */
export const lineText = (buf: Uint8Array, start: number, end: number): string =>
  utf8.decode(buf.subarray(start, Math.min(end, start + 200)));
