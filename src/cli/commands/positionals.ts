// Small argument checks the catalogue and run-annotation commands share.
import { flag, str, type ParsedArgs } from "../args";
import { UsageError } from "../errors";

/** Exactly one positional argument. */
export function single(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `give one ${what}, got ${positionals.length} arguments` : `give ${what}`);
  return positionals[0]!;
}

/** --description TEXT, or null for --clear; one of the two. */
export function descriptionArg(args: ParsedArgs): string | null {
  const text = str(args, "description");
  const clear = flag(args, "clear");
  if ((text === undefined) === !clear) throw new UsageError("give --description TEXT or --clear");
  return clear ? null : text!;
}
