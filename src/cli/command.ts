// What a command is, and what it gets to run: the parsed arguments, a lazily
// built GraphQL client and the output streams.
import type { OptionSpecs, ParsedArgs } from "./args";
import type { GraphQLClient } from "./client";

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Whether stderr (where progress goes) is a terminal: redraw in place. */
  stderrIsTTY: boolean;
  columns: number;
  env: NodeJS.ProcessEnv;
}

export interface CommandContext {
  io: Io;
  client: GraphQLClient;
  /** A line of the command's result on stdout (ids, tables, JSON). */
  out(text: string): void;
  /** A line for people on stderr (what happened, progress, warnings). */
  info(text: string): void;
}

export interface Command {
  /** Words that select it: "launch transfer". */
  name: string;
  summary: string;
  /** After the program name: "launch transfer --dataset NAME|ID --method NAME|ID [options]". */
  usage: string;
  description?: string;
  /** Help lines for positional arguments: [["RUN_ID...", "runs to watch"]]. */
  positionals?: Array<[string, string]>;
  options: OptionSpecs;
  examples?: string[];
  run(ctx: CommandContext, args: ParsedArgs): Promise<number>;
}
