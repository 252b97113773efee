// How runners read input files: regular files only (a FIFO or device could block a
// thread for good), checked on the opened descriptor (O_NONBLOCK, fstat), and, with
// the data roots, only where the path resolves after symlinks inside one of them:
// the same rule the image routes and launches apply (src/services/data-paths.ts).
import { constants } from "node:fs";
import { open, realpath } from "node:fs/promises";
import type { Stats } from "node:fs";
import path from "node:path";

export class RunnerFileError extends Error {
  override name = "RunnerFileError";
}

function kindOf(info: Stats): string {
  if (info.isFIFO()) return "FIFO";
  if (info.isCharacterDevice() || info.isBlockDevice()) return "device";
  if (info.isSocket()) return "socket";
  if (info.isDirectory()) return "folder";
  return "special file";
}

/** The bytes of a regular file; refuses FIFOs, devices and sockets without blocking on them. */
export async function readRegularFile(file: string): Promise<Buffer> {
  // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new RunnerFileError(`${file} is a ${kindOf(info)}, not a regular file; runners read regular files only`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** Throws unless `file` is a regular file (checked on an O_NONBLOCK descriptor), for readers that open it themselves. */
export async function assertRegularFile(file: string): Promise<void> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new RunnerFileError(`${file} is a ${kindOf(info)}, not a regular file; runners read regular files only`);
  } finally {
    await handle.close();
  }
}

export interface RunnerFiles {
  /** The real path of `file` when it resolves inside the data roots; else a RunnerFileError. */
  confine(file: string): Promise<string>;
  /** The bytes of a regular file inside the data roots. */
  read(file: string): Promise<Buffer>;
}

export function createRunnerFiles(roots: readonly string[]): RunnerFiles {
  const realRoots = Promise.all(roots.map((root) => realpath(root).catch(() => path.resolve(root))));
  async function confine(file: string): Promise<string> {
    const real = await realpath(file);
    if (!(await realRoots).some((root) => real === root || real.startsWith(root + path.sep))) {
      throw new RunnerFileError(`${file} resolves to ${real}, outside the data roots`);
    }
    return real;
  }
  return {
    confine,
    read: async (file) => readRegularFile(await confine(file)),
  };
}
