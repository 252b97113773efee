// Pair labels as a text file, one per line: 1/0 or True/False (what `np.savetxt` or a Python
// `print` of issame_list gives). Blank lines are skipped.
import { readFile } from "node:fs/promises";

const TRUE = new Set(["1", "true", "True", "TRUE"]);
const FALSE = new Set(["0", "false", "False", "FALSE"]);

export function parseIssame(text: string, name: string): boolean[] {
  const labels: boolean[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    if (TRUE.has(line)) labels.push(true);
    else if (FALSE.has(line)) labels.push(false);
    else throw new Error(`${name}:${i + 1}: expected 1/0 or True/False, got ${JSON.stringify(line.slice(0, 40))}`);
  });
  return labels;
}

export async function readIssame(path: string): Promise<boolean[]> {
  return parseIssame(await readFile(path, "utf8"), path);
}
