import { flag, float } from "../args";
import type { Command } from "../command";
import { UsageError } from "../errors";
import { json } from "../format";
import { watchPipelines, watchRuns } from "../watcher";
import { watchExitCode } from "./shared";

export const watch: Command = {
  name: "watch",
  summary: "Live progress of runs (or pipelines) until they end; exits with the outcome",
  usage: "watch RUN_ID... [--pipeline] [--json]",
  description:
    "Draws a progress bar per run (done/total, rate, ETA) from the runProgress subscription: redrawn in place on a terminal, a line per update otherwise (at most one a second per run, plus every status change). Progress goes to stderr. Exits 0 when every run SUCCEEDED, 1 when one FAILED or was CANCELLED (its error is printed), 130 on Ctrl-C (the run goes on).",
  positionals: [["RUN_ID...", "Runs to watch (with --pipeline: pipeline ids)"]],
  options: {
    pipeline: { type: "boolean", description: "The ids are pipelines: steps done/total and the running steps" },
    interval: { type: "string", value: "SECONDS", description: "Off a terminal: at most one progress line per run this often (default 1)" },
    json: { type: "boolean", description: "Print the final state as JSON on stdout" },
  },
  examples: ["realismlab watch 5b0f9c7e-...", "realismlab watch --pipeline 9d2e... 71aa..."],
  async run(ctx, args) {
    const ids = args.positionals;
    if (!ids.length) throw new UsageError("give at least one id to watch");
    const interval = float(args, "interval", { min: 0 });
    const options = { intervalMs: interval != null ? interval * 1000 : undefined };
    const final = flag(args, "pipeline") ? await watchPipelines(ctx, ids, options) : await watchRuns(ctx, ids, options);
    if (flag(args, "json")) ctx.out(json(final.length === 1 ? final[0] : final));
    return watchExitCode(final);
  },
};
