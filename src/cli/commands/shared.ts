// Pieces the launch commands share: --watch/--json, printing what was launched.
import { flag, type OptionSpecs, type ParsedArgs } from "../args";
import type { CommandContext } from "../command";
import { EXIT } from "../errors";
import { json } from "../format";
import { watchPipelines, watchRuns, type PipelineState, type RunState } from "../watcher";

export const LAUNCH_OUTPUT_OPTIONS: OptionSpecs = {
  watch: { type: "boolean", short: "w", description: "Watch right away: live progress, exit with the outcome (see `watch`)" },
  json: { type: "boolean", description: "Print the launched run(s) as JSON (with --watch: their final state)" },
};

export function watchExitCode(states: Array<{ status: string }>): number {
  return states.every((s) => s.status === "SUCCEEDED") ? EXIT.OK : EXIT.FAILURE;
}

/** Prints ids on stdout (one a line; JSON with --json), a description on stderr, and watches with --watch. */
export async function reportLaunchedRuns(ctx: CommandContext, args: ParsedArgs, runs: RunState[], describe: (run: RunState) => string): Promise<number> {
  const watch = flag(args, "watch");
  const asJson = flag(args, "json");
  for (const run of runs) ctx.info(describe(run));
  if (!watch) {
    if (asJson) ctx.out(json(runs.length === 1 ? runs[0] : runs));
    else for (const run of runs) ctx.out(run.id);
    return EXIT.OK;
  }
  if (!asJson) for (const run of runs) ctx.out(run.id);
  const final = await watchRuns(ctx, runs.map((r) => r.id));
  if (asJson) ctx.out(json(final.length === 1 ? final[0] : final));
  return watchExitCode(final);
}

export async function reportLaunchedPipelines(ctx: CommandContext, args: ParsedArgs, pipelines: PipelineState[], verb = "Launched"): Promise<number> {
  const watch = flag(args, "watch");
  const asJson = flag(args, "json");
  for (const p of pipelines) {
    ctx.info(`${verb} ${p.baseline ? "baseline " : ""}pipeline ${p.id}: ${p.name} (group ${p.group}, ${p.progress.total} steps)`);
  }
  if (!watch) {
    if (asJson) ctx.out(json(pipelines));
    else for (const p of pipelines) ctx.out(p.id);
    return EXIT.OK;
  }
  if (!asJson) for (const p of pipelines) ctx.out(p.id);
  const final = await watchPipelines(ctx, pipelines.map((p) => p.id));
  if (asJson) ctx.out(json(final));
  return watchExitCode(final);
}
