// `realismlab archive|restore run|dataset|method`: hide from lists and the
// leaderboard without deleting anything, and bring back.
import type { Command } from "../command";
import { ApiError, EXIT, UsageError } from "../errors";
import { NameResolver, type CatalogueKind } from "../resolve";

type Target = "run" | "dataset" | "method";

const MUTATIONS: Record<Target, { archive: string; restore: string; kind: CatalogueKind | null; label: string }> = {
  run: { archive: "archiveRun", restore: "restoreRun", kind: null, label: "run" },
  dataset: { archive: "archiveDataset", restore: "restoreDataset", kind: "dataset", label: "dataset" },
  method: { archive: "archiveTransferMethod", restore: "restoreTransferMethod", kind: "transferMethod", label: "transfer method" },
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
          const data = await ctx.client.request(`mutation($id: ID!) { ${mutation}(id: $id) { id archived } }`, { id });
          ctx.info(`${label} ${id} ${data[mutation].archived ? "archived" : "restored"}`);
          ctx.out(data[mutation].id);
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
