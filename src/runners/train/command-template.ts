// Trainer commands are argv templates with {placeholders}, substituted element by
// element and run WITHOUT a shell, so a dataset name or a param value can never
// become shell syntax. Nor can a param value become an option: a value starting
// with "-" is refused where it would begin an argv element (write `--opt={param.x}`).
import { parse } from "shell-quote";

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9_.]*)\}/g;
export const RUN_PLACEHOLDERS = ["datasetPath", "datasetName", "outputDir", "seed", "runId", "apiUrl"] as const;

export class TemplateError extends Error {
  override name = "TemplateError";
}

/** Splits a command line into argv the way a POSIX shell would quote it; refuses shell operators. */
export function splitCommandLine(commandLine: string): string[] {
  const parts = parse(commandLine, (name) => `$${name}`);
  return parts.map((part) => {
    if (typeof part !== "string") {
      throw new TemplateError(`shell syntax is not run (no shell is used): ${JSON.stringify(part)}; write it as plain arguments`);
    }
    return part;
  });
}

/** The placeholders a template uses; unknown ones are an error (params are {param.NAME}). */
export function checkPlaceholders(template: readonly string[]): string[] {
  const names = new Set<string>();
  if (template[0]?.includes("{param.")) throw new TemplateError("the program (first argument) cannot come from a run param");
  for (const arg of template) {
    for (const [, name] of arg.matchAll(PLACEHOLDER)) {
      if (!(RUN_PLACEHOLDERS as readonly string[]).includes(name!) && !name!.startsWith("param.")) {
        throw new TemplateError(`unknown placeholder {${name}} (known: ${RUN_PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}, {param.NAME})`);
      }
      names.add(name!);
    }
  }
  return [...names];
}

export function renderTemplate(template: string, values: Record<string, string>): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new TemplateError(`no value for {${name}}`);
    return value;
  });
}

/** Values for a run: the fixed placeholders plus param.NAME for every run param. */
export function templateValues(fixed: Record<(typeof RUN_PLACEHOLDERS)[number], string>, params: Record<string, unknown>) {
  const values: Record<string, string> = { ...fixed };
  for (const [key, value] of Object.entries(params)) {
    values[`param.${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return values;
}

const LEADING_PARAM = /^\{param\.([A-Za-z][A-Za-z0-9_.]*)\}/;

/**
 * The first param whose value would begin an argv element with "-" (and so be read
 * as an option of the trainer command), or null. `--lr={param.lr}` is always safe.
 */
export function paramUsedAsOption(template: readonly string[], params: Record<string, unknown>): { name: string; value: string } | null {
  for (const arg of template) {
    const name = LEADING_PARAM.exec(arg)?.[1];
    if (!name || !(name in params)) continue;
    const raw = params[name];
    const value = typeof raw === "string" ? raw : JSON.stringify(raw);
    if (value.startsWith("-")) return { name, value };
  }
  return null;
}

/** The message for paramUsedAsOption's finding. */
export function optionValueMessage(found: { name: string; value: string }): string {
  return `${JSON.stringify(found.value.slice(0, 50))} starts with "-" where the trainer command would read it as an option; ` +
    `register the argument as --option={param.${found.name}} to pass such values`;
}
