// Trainer commands are argv templates with {placeholders}, substituted element by
// element and run WITHOUT a shell, so a dataset name or a param value can never
// become shell syntax.
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
