// Counts the non-blank lines of a text file without parsing them (the IJB-C pair list has 15.6M
// lines: counting takes a fraction of a second, parsing several), so a launch can check sizes.
import { createReadStream } from "node:fs";

const NEWLINE = 0x0a;

function isBlankByte(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0b || b === 0x0c;
}

export async function countNonBlankLines(path: string): Promise<number> {
  let count = 0;
  let lineHasText = false;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === NEWLINE) {
        if (lineHasText) count++;
        lineHasText = false;
      } else if (!lineHasText && !isBlankByte(b)) {
        lineHasText = true;
      }
    }
  }
  return lineHasText ? count + 1 : count;
}
