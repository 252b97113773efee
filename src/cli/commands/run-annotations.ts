// `realismlab tag` and `realismlab note`: labels and notes on runs, also after they finished.
import { flag, list, str } from "../args";
import type { Command } from "../command";
import { ApiError, EXIT, UsageError } from "../errors";
import { single } from "./positionals";
import { graphql } from "../../generated/graphql/cli";

const TAG = graphql(`mutation TagRun($id: ID!, $add: [String!], $remove: [String!]) { tagRun(id: $id, add: $add, remove: $remove) { id tags } }`);
const NOTE = graphql(`mutation SetRunNotes($id: ID!, $notes: String) { setRunNotes(id: $id, notes: $notes) { id notes } }`);

export const tag: Command = {
  name: "tag",
  summary: "Add or remove tags on runs (filter with `runs --tag`)",
  usage: "tag RUN_ID... [--add TAG...] [--remove TAG...]",
  description: "Works on finished runs too; published results need an ADMIN token. At most 32 tags a run, 64 characters each. Exits 1 if any run could not be tagged.",
  positionals: [["RUN_ID...", "Runs to tag"]],
  options: {
    add: { type: "string", multiple: true, value: "TAG", description: "Tags to add (repeatable or comma-separated)" },
    remove: { type: "string", multiple: true, value: "TAG", description: "Tags to remove (repeatable or comma-separated)" },
  },
  examples: ["realismlab tag RUN_ID --add ablation,epochs-30", "realismlab runs --tag ablation"],
  async run(ctx, args) {
    const add = list(args, "add");
    const remove = list(args, "remove");
    if (!args.positionals.length) throw new UsageError("give at least one run id");
    if (!add.length && !remove.length) throw new UsageError("give --add TAG or --remove TAG");
    let code: number = EXIT.OK;
    for (const id of args.positionals) {
      try {
        const data = await ctx.client.request(TAG, { id, add, remove });
        ctx.info(`run ${id}: ${data.tagRun.tags.length ? data.tagRun.tags.join(", ") : "no tags"}`);
        ctx.out(data.tagRun.id);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        ctx.info(`error: cannot tag ${id}: ${error.message}`);
        code = EXIT.FAILURE;
      }
    }
    return code;
  },
};

export const note: Command = {
  name: "note",
  summary: "Replace a run's notes (--clear removes them)",
  usage: "note RUN_ID (--text TEXT | --clear)",
  description: "Works on finished runs too; published results need an ADMIN token. At most 20,000 characters.",
  positionals: [["RUN_ID", "The run"]],
  options: {
    text: { type: "string", value: "TEXT", description: "The notes" },
    clear: { type: "boolean", description: "Remove the notes" },
  },
  examples: ['realismlab note RUN_ID --text "lr too high after epoch 20"'],
  async run(ctx, args) {
    const id = single(args.positionals, "a run id");
    const text = str(args, "text");
    if ((text === undefined) === !flag(args, "clear")) throw new UsageError("give --text TEXT or --clear");
    const data = await ctx.client.request(NOTE, { id, notes: text ?? null });
    ctx.info(`run ${id}: notes ${data.setRunNotes.notes == null ? "cleared" : "saved"}`);
    ctx.out(data.setRunNotes.id);
    return EXIT.OK;
  },
};
