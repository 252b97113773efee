// The shape in a .npy header, read without loading the data (features of IJB-C are ~1 GB), so a
// launch can check that features match their benchmark. The job reads the file with readNpy,
// which validates everything again.
import { open } from "node:fs/promises";
import { MAX_NPY_HEADER_BYTES } from "../../metrics/npy";

const MAGIC = "\x93NUMPY";

export async function readNpyShape(path: string): Promise<number[]> {
  const file = await open(path, "r");
  try {
    const head = Buffer.alloc(12);
    await file.read(head, 0, 12, 0);
    if (head.toString("latin1", 0, 6) !== MAGIC) throw new Error(`${path}: not a .npy file (bad magic string)`);
    const major = head[6];
    if (major !== 1 && major !== 2 && major !== 3) throw new Error(`${path}: unsupported .npy format version ${major}`);
    const lenBytes = major === 1 ? 2 : 4;
    const headerLen = major === 1 ? head.readUInt16LE(8) : head.readUInt32LE(8);
    // Bounded before it sizes a buffer or a read (2^31 here aborted the process).
    if (headerLen > MAX_NPY_HEADER_BYTES) throw new Error(`${path}: .npy header length ${headerLen} is over the limit of ${MAX_NPY_HEADER_BYTES} bytes`);
    const header = Buffer.alloc(headerLen);
    const { bytesRead } = await file.read(header, 0, headerLen, 8 + lenBytes);
    if (bytesRead !== headerLen) throw new Error(`${path}: file is truncated inside its header`);
    const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header.toString("latin1"))?.[1];
    if (shapeText === undefined) throw new Error(`${path}: malformed .npy header (no shape)`);
    return shapeText
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0)
      .map((s) => {
        const value = Number(s.replace(/L$/, ""));
        if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${path}: bad .npy shape (${shapeText})`);
        return value;
      });
  } finally {
    await file.close();
  }
}
