// Help texts, generated from the command definitions.
import { GLOBAL_OPTIONS, type OptionSpecs } from "./args";
import type { Command } from "./command";
import { COMMANDS, GROUPS } from "./commands";

export const PROGRAM = "realismlab";

export const EXIT_CODES_HELP = `Exit codes:
  0    success (watch, --watch: every run or pipeline SUCCEEDED)
  1    the API answered with an error (NOT_FOUND, CONFLICT, BAD_USER_INPUT,
       UNAUTHENTICATED...), or a watched run FAILED or was CANCELLED
  2    usage: unknown command or option, missing or malformed value, a dataset/
       method/trainer/model/benchmark name that matches nothing (nothing launched)
  3    the server could not be reached (or did not answer like a GraphQL endpoint)
  130  interrupted (Ctrl-C) while watching; the run itself goes on`;

function optionLines(options: OptionSpecs): string[] {
  const entries = Object.entries(options).map(([name, spec]) => {
    const head = `${spec.short ? `-${spec.short}, ` : "    "}--${name}${spec.value ? ` ${spec.value}` : ""}`;
    const notes = [spec.required ? "required" : null, spec.multiple && !/repeatable/i.test(spec.description) ? "repeatable" : null].filter(Boolean);
    const description = !notes.length ? spec.description : spec.description.endsWith(")") ? `${spec.description.slice(0, -1)}; ${notes.join(", ")})` : `${spec.description} (${notes.join(", ")})`;
    return [head, description] as const;
  });
  const width = Math.min(36, Math.max(...entries.map(([h]) => h.length)));
  return entries.map(([head, description]) => (head.length > width ? `  ${head}\n  ${" ".repeat(width)}  ${description}` : `  ${head.padEnd(width)}  ${description}`));
}

function wrap(text: string, width = 78): string {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join("\n");
}

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `${PROGRAM}: command-line client for the RealismLab GraphQL API`,
    "",
    `Usage: ${PROGRAM} <command> [options]`,
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Global options (any command):",
    ...optionLines({ ...GLOBAL_OPTIONS, version: { type: "boolean", description: "Print the version" } }),
    "",
    "Ids go to stdout, one a line (JSON with --json); progress, messages and errors go to stderr.",
    "",
    EXIT_CODES_HELP,
    "",
    `Run \`${PROGRAM} <command> --help\` for a command's options.`,
  ].join("\n");
}

export function groupHelp(group: string): string {
  const members = COMMANDS.filter((c) => c.name.startsWith(`${group} `));
  const width = Math.max(...members.map((c) => c.name.length));
  return [
    `${PROGRAM} ${group}: ${GROUPS[group] ?? ""}`,
    "",
    `Usage: ${PROGRAM} ${group} <${members.map((c) => c.name.slice(group.length + 1)).join("|")}> [options]`,
    "",
    ...members.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    `Run \`${PROGRAM} ${group} <what> --help\` for its options.`,
  ].join("\n");
}

export function commandHelp(command: Command): string {
  return [
    `Usage: ${PROGRAM} ${command.usage}`,
    "",
    wrap(command.summary + "."),
    ...(command.description ? ["", wrap(command.description)] : []),
    ...(command.positionals?.length ? ["", "Arguments:", ...command.positionals.map(([n, d]) => `  ${n.padEnd(14)}  ${d}`)] : []),
    "",
    "Options:",
    ...optionLines(command.options),
    "",
    "Global options:",
    ...optionLines(GLOBAL_OPTIONS),
    ...(command.examples?.length ? ["", "Examples:", ...command.examples.map((e) => `  ${e}`)] : []),
    "",
    "Exit codes: 0 ok, 1 API error or run not SUCCEEDED, 2 usage, 3 server unreachable, 130 interrupted.",
  ].join("\n");
}
