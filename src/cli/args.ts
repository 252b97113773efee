// Command-line parsing on node:util parseArgs, plus typed value helpers that turn
// malformed values into UsageErrors (exit code 2).
import { parseArgs } from "node:util";
import { UsageError } from "./errors";

export interface OptionSpec {
  type: "string" | "boolean";
  multiple?: boolean;
  short?: string;
  /** Placeholder shown in help, e.g. NAME|ID. */
  value?: string;
  description: string;
  required?: boolean;
}

export type OptionSpecs = Record<string, OptionSpec>;

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Options every command accepts. */
export const GLOBAL_OPTIONS: OptionSpecs = {
  url: { type: "string", value: "URL", description: "GraphQL endpoint (env REALISMLAB_URL; default http://localhost:4000/graphql)" },
  token: { type: "string", value: "TOKEN", description: "API token, sent as Authorization: Bearer (env REALISMLAB_TOKEN)" },
  help: { type: "boolean", short: "h", description: "Show help" },
};

export function parseCommandArgs(argv: string[], options: OptionSpecs, command: string): ParsedArgs {
  const config = Object.fromEntries(
    Object.entries({ ...GLOBAL_OPTIONS, ...options }).map(([name, spec]) => [
      name,
      { type: spec.type, ...(spec.multiple ? { multiple: true } : {}), ...(spec.short ? { short: spec.short } : {}) },
    ]),
  );
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: config, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(parseErrorMessage(error), command);
  }
  const values = parsed.values as ParsedArgs["values"];
  if (!values.help) {
    for (const [name, spec] of Object.entries(options)) {
      const value = values[name];
      if (spec.required && (value === undefined || (Array.isArray(value) && value.length === 0))) {
        throw new UsageError(`missing --${name}${spec.value ? ` ${spec.value}` : ""}`, command);
      }
    }
  }
  return { values, positionals: parsed.positionals };
}

function parseErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // parseArgs explains itself at length ("To specify a positional argument starting with a '-'..."): keep the first sentence.
  const first = message.split(/\.\s/)[0]!.replace(/\.$/, "");
  return first.replace(/^Unknown option '([^']+)'/, "unknown option $1").replace(/^Option '([^']+)' argument missing/, "option $1 needs a value");
}

// ---- typed values ---------------------------------------------------------

export function str(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === "string" ? value : undefined;
}

/** A `required: true` option's value: the parser has refused a command without it already. */
export function requiredStr(args: ParsedArgs, name: string): string {
  const value = str(args, name);
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** A repeatable option; comma-separated values are split too (--model a,b --model c). */
export function list(args: ParsedArgs, name: string, { split = true } = {}): string[] {
  const value = args.values[name];
  const raw = Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
  return split ? raw.flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean) : raw;
}

export function int(args: ParsedArgs, name: string, { min }: { min?: number } = {}): number | undefined {
  const raw = str(args, name);
  if (raw === undefined) return undefined;
  return parseIntValue(`--${name}`, raw, min);
}

export function parseIntValue(label: string, raw: string, min?: number): number {
  if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`${label} must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new UsageError(`${label} is out of range: ${raw}`);
  if (min !== undefined && value < min) throw new UsageError(`${label} must be at least ${min}, got ${value}`);
  return value;
}

export function float(args: ParsedArgs, name: string, { min, max }: { min?: number; max?: number } = {}): number | undefined {
  const raw = str(args, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value)) throw new UsageError(`--${name} must be a number, got "${raw}"`);
  if (min !== undefined && value < min) throw new UsageError(`--${name} must be at least ${min}, got ${value}`);
  if (max !== undefined && value > max) throw new UsageError(`--${name} must be at most ${max}, got ${value}`);
  return value;
}

export function intList(args: ParsedArgs, name: string): number[] | undefined {
  const values = list(args, name);
  return values.length ? values.map((v) => parseIntValue(`--${name}`, v)) : undefined;
}

/** One of `choices`, case-insensitive; returns the choice as spelled in `choices`. */
export function choice<T extends string>(label: string, raw: string, choices: readonly T[]): T {
  const found = choices.find((c) => c.toLowerCase() === raw.trim().toLowerCase());
  if (!found) throw new UsageError(`${label} must be one of ${choices.map((c) => c.toLowerCase()).join(", ")}; got "${raw}"`);
  return found;
}

/**
 * key=value pairs into an object. Values are read as JSON when they parse (numbers,
 * booleans, null, arrays, quoted strings) and kept as strings otherwise: --param epochs=2
 * gives 2, --param optimizer=sgd gives "sgd". Dotted keys nest: lr.base=0.1.
 */
export function keyValues(args: ParsedArgs, name: string): Record<string, unknown> | undefined {
  const pairs = list(args, name, { split: false });
  if (!pairs.length) return undefined;
  const result: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--${name} takes key=value, got "${pair}"`);
    const key = pair.slice(0, eq).trim();
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a plain string
    }
    const parts = key.split(".");
    let target = result;
    for (const part of parts.slice(0, -1)) {
      const next = target[part];
      if (next === undefined) target[part] = {};
      else if (typeof next !== "object" || next === null || Array.isArray(next)) throw new UsageError(`--${name}: "${key}" conflicts with an earlier value of ${part}`);
      target = target[part] as Record<string, unknown>;
    }
    target[parts.at(-1)!] = value;
  }
  return result;
}

/** Drops undefined entries; returns undefined when nothing is left. */
export function compact<T extends Record<string, unknown>>(object: T): Partial<T> | undefined {
  const entries = Object.entries(object).filter(([, v]) => v !== undefined);
  return entries.length ? (Object.fromEntries(entries) as Partial<T>) : undefined;
}
