// Pieces the catalogue commands share: paths made absolute (the server reads
// them), a model's input spec read from a JSON file (by default the
// <model>.spec.json that `npm run fixtures` writes beside each model), --json output.
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { str, type OptionSpecs, type ParsedArgs } from "../args";
import { UsageError } from "../errors";

/** Spec files are small; anything bigger is not a spec. */
const MAX_SPEC_BYTES = 1_000_000;

export const JSON_OUTPUT: OptionSpecs = {
  json: { type: "boolean", description: "Print the result as JSON" },
};

/** The server resolves paths itself: send it an absolute one. */
export function absolutePath(args: ParsedArgs, name: string): string | undefined {
  const value = str(args, name);
  if (value === undefined) return undefined;
  if (!value.trim()) throw new UsageError(`--${name}: the path is empty`);
  return path.resolve(value);
}

/** `--spec FILE`, else the `.spec.json` beside the model, parsed as JSON. */
export async function readInputSpec(args: ParsedArgs, modelPath: string): Promise<unknown> {
  const given = absolutePath(args, "spec");
  const file = given ?? modelPath.replace(/\.onnx$/i, "") + ".spec.json";
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) {
    throw new UsageError(given ? `--spec: ${file} is not a file` : `missing --spec FILE (no ${path.basename(file)} beside the model)`);
  }
  if (info.size > MAX_SPEC_BYTES) throw new UsageError(`--spec: ${file} is ${info.size} bytes; a spec is at most ${MAX_SPEC_BYTES}`);
  try {
    return JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new UsageError(`--spec: ${file} is not JSON (${(error as Error).message})`);
  }
}
