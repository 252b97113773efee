// `realismlab archive|restore run|dataset|method`: hide from lists and the
// leaderboard without deleting anything, and bring back.
import type { Document } from "../client";
import type { Command } from "../command";
import { ApiError, EXIT, UsageError } from "../errors";
import { NameResolver, type CatalogueKind } from "../resolve";
import { graphql } from "../../generated/graphql/cli";

type Target = "run" | "dataset" | "method";

// Each answers as `result`, so one command body serves all six.
type Toggle = Document<{ result: { id: string; archived: boolean } }, { id: string }>;

const MUTATIONS: Record<Target, { archive: Toggle; restore: Toggle; kind: CatalogueKind | null; label: string }> = {
  run: {
    archive: graphql(`mutation ArchiveRun($id: ID!) { result: archiveRun(id: $id) { id archived } }`),
    restore: graphql(`mutation RestoreRun($id: ID!) { result: restoreRun(id: $id) { id archived } }`),
    kind: null,
    label: "run",
  },
  dataset: {
    archive: graphql(`mutation ArchiveDataset($id: ID!) { result: archiveDataset(id: $id) { id archived } }`),
    restore: graphql(`mutation RestoreDataset($id: ID!) { result: restoreDataset(id: $id) { id archived } }`),
    kind: "dataset",
    label: "dataset",
  },
  method: {
    archive: graphql(`mutation ArchiveTransferMethod($id: ID!) { result: archiveTransferMethod(id: $id) { id archived } }`),
    restore: graphql(`mutation RestoreTransferMethod($id: ID!) { result: restoreTransferMethod(id: $id) { id archived } }`),
    kind: "transferMethod",
    label: "transfer method",
  },
};

function command(action: "archive" | "restore", target: Target): Command {
  const { kind, label } = MUTATIONS[target];
  const mutation = MUTATIONS[target][action];
  const what = target === "run" ? "RUN_ID..." : "NAME|ID...";
  return {
    name: `${action} ${target}`,
    summary: action === "archive" ? `Hide ${label}s from lists and the leaderboard (nothing is deleted)` : `Bring archived ${label}s back`,
    usage: `${action} ${target} ${what}`,
    description:
      action === "archive"
        ? `Archived ${label}s are listed only on request (${target === "run" ? "runs --archived" : `${target}s list --archived`}) and are restorable with \`restore ${target}\`.${target === "run" ? " Published results need an ADMIN token." : " Needs an ADMIN token."}`
        : `Exits 1 if any could not be restored.`,
    positionals: [[what, `The ${label}s`]],
    options: {},
    async run(ctx, args) {
      if (!args.positionals.length) throw new UsageError(`give at least one ${label}`);
      const names = new NameResolver(ctx.client, { archived: true });
      // Resolve every name first: a typo archives nothing.
      const ids = kind ? await Promise.all(args.positionals.map((value) => names.id(kind, value))) : args.positionals;
      let code: number = EXIT.OK;
      for (const id of ids) {
        try {
          const { result } = await ctx.client.request(mutation, { id });
          ctx.info(`${label} ${id} ${result.archived ? "archived" : "restored"}`);
          ctx.out(result.id);
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          ctx.info(`error: cannot ${action} ${label} ${id}: ${error.message}`);
          code = EXIT.FAILURE;
        }
      }
      return code;
    },
  };
}

export const archiveCommands: Command[] = (["run", "dataset", "method"] as const).flatMap((target) => [command("archive", target), command("restore", target)]);
