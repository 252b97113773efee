// The dispatcher: finds the command, parses its arguments, builds the client from
// --url/--token (or REALISMLAB_URL/REALISMLAB_TOKEN), runs it, and turns any error
// into a plain message and an exit code (src/cli/errors.ts).
import { readFileSync } from "node:fs";
import { parseCommandArgs, str } from "./args";
import { DEFAULT_URL, GraphQLClient } from "./client";
import type { Command, CommandContext, Io } from "./command";
import { COMMANDS, GROUPS } from "./commands";
import { ApiError, ConnectionError, EXIT, exitCodeOf, InterruptedError, UsageError } from "./errors";
import { commandHelp, groupHelp, mainHelp, PROGRAM } from "./help";

/** Global options that take a value, so the command word can be found after them. */
const VALUE_OPTIONS = new Set(["--url", "--token"]);

function version(): string {
  try {
    return JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** Splits argv into the command words and the rest (options and positionals, in order). */
function findCommand(argv: string[]): { words: string[]; rest: string[] } {
  const rest: string[] = [];
  let i = 0;
  // Global options may come before the command.
  while (i < argv.length && argv[i]!.startsWith("-")) {
    rest.push(argv[i]!);
    if (VALUE_OPTIONS.has(argv[i]!) && i + 1 < argv.length) rest.push(argv[++i]!);
    i++;
  }
  const words: string[] = [];
  if (i < argv.length) {
    words.push(argv[i++]!);
    if (words[0]! in GROUPS && i < argv.length && !argv[i]!.startsWith("-")) words.push(argv[i++]!);
  }
  return { words, rest: [...rest, ...argv.slice(i)] };
}

function settings(io: Io, url: string | undefined, token: string | undefined) {
  const chosen = url ?? (io.env.REALISMLAB_URL || DEFAULT_URL);
  let parsed: URL;
  try {
    parsed = new URL(chosen);
  } catch {
    throw new UsageError(`--url / REALISMLAB_URL is not a URL: "${chosen}"`);
  }
  if (!/^https?:$/.test(parsed.protocol)) throw new UsageError(`--url / REALISMLAB_URL must be an http:// or https:// URL, got "${chosen}"`);
  const chosenToken = token ?? (io.env.REALISMLAB_TOKEN || undefined);
  return { url: parsed.toString(), ...(chosenToken ? { token: chosenToken } : {}) };
}

export async function runCli(argv: string[], io: Io): Promise<number> {
  const print = (stream: NodeJS.WritableStream, text: string) => stream.write(`${text}\n`);
  let command: Command | undefined;
  let client: GraphQLClient | null = null;
  try {
    const { words, rest } = findCommand(argv);
    const wantsHelp = rest.includes("--help") || rest.includes("-h");
    if (words[0] === "help") {
      const topic = rest.filter((r) => !r.startsWith("-")).join(" ");
      const target = COMMANDS.find((c) => c.name === topic);
      print(io.stdout, target ? commandHelp(target) : topic in GROUPS ? groupHelp(topic) : mainHelp());
      return EXIT.OK;
    }
    if (!words.length) {
      if (rest.includes("--version")) {
        print(io.stdout, version());
        return EXIT.OK;
      }
      if (wantsHelp) {
        print(io.stdout, mainHelp());
        return EXIT.OK;
      }
      print(io.stderr, mainHelp());
      return EXIT.USAGE;
    }
    const name = words.join(" ");
    command = COMMANDS.find((c) => c.name === name);
    if (!command) {
      const group = words[0]!;
      if (group in GROUPS) {
        if (words.length === 1) {
          print(wantsHelp ? io.stdout : io.stderr, groupHelp(group));
          return wantsHelp ? EXIT.OK : EXIT.USAGE;
        }
        throw new UsageError(`unknown command "${name}"; ${group} takes ${COMMANDS.filter((c) => c.name.startsWith(`${group} `)).map((c) => c.name.slice(group.length + 1)).join(", ")}`, group);
      }
      throw new UsageError(`unknown command "${name}"; commands: ${[...new Set(COMMANDS.map((c) => c.name.split(" ")[0]))].join(", ")}`);
    }
    const args = parseCommandArgs(rest, command.options, command.name);
    if (args.values.help) {
      print(io.stdout, commandHelp(command));
      return EXIT.OK;
    }
    if (!command.positionals?.length && args.positionals.length) {
      throw new UsageError(`unexpected argument "${args.positionals[0]}"`, command.name);
    }
    client = new GraphQLClient(settings(io, str(args, "url"), str(args, "token")));
    const ctx: CommandContext = {
      io,
      client,
      out: (text) => print(io.stdout, text),
      info: (text) => print(io.stderr, text),
    };
    return await command.run(ctx, args);
  } catch (error) {
    const code = exitCodeOf(error);
    if (error instanceof UsageError) {
      const about = error.command ?? command?.name;
      print(io.stderr, `error: ${error.message}\nRun \`${PROGRAM}${about ? ` ${about}` : ""} --help\` for usage.`);
    } else if (error instanceof InterruptedError) {
      print(io.stderr, error.message);
    } else if (error instanceof ApiError || error instanceof ConnectionError) {
      print(io.stderr, `error: ${error.message}`);
    } else {
      print(io.stderr, `error: ${error instanceof Error ? (io.env.REALISMLAB_DEBUG ? error.stack : error.message) : String(error)}`);
    }
    return code;
  } finally {
    await client?.close().catch(() => undefined);
  }
}
