// `runs show RUN_ID`: one run in full: status, timing, where it executes (the executor,
// its job id, node and reason: a Slurm job), the resources it asked for, its error and
// the end of its log.
import { flag, int } from "../args";
import type { Command } from "../command";
import { ApiError, EXIT } from "../errors";
import { formatTime, json } from "../format";
import { single } from "./positionals";

const RUN = `query($id: ID!, $lines: Int!) { run(id: $id) {
  id kind status name group seed createdAt startedAt finishedAt worker device error
  progress { done total } executor executorJobId executorNode executorReason resources
  logTail(lines: $lines) { stream line } } }`;

const RESOURCE_ORDER = ["gpus", "cpus", "memoryGb", "timeLimit", "partition"];

function resourcesText(resources: Record<string, unknown> | null): string {
  // In the launch input's order (the database's JSON keeps its own).
  const rank = (key: string) => (RESOURCE_ORDER.includes(key) ? RESOURCE_ORDER.indexOf(key) : RESOURCE_ORDER.length);
  const entries = Object.entries(resources ?? {}).sort(([a], [b]) => rank(a) - rank(b));
  return entries.length ? entries.map(([key, value]) => `${key}=${value}`).join(" ") : "(the kind's defaults)";
}

export const runsShow: Command = {
  name: "runs show",
  summary: "One run in full: status, where it executes (executor, Slurm job, node, reason), its log's end",
  usage: "runs show RUN_ID [--log N] [--json]",
  description: "Prints the run's fields, the executor with its job id, node and last reason (a Slurm job: PENDING (Resources), RUNNING, TIMEOUT...), the resources it asked for, its error, and the last lines of its log (job output lines marked [job]).",
  positionals: [["RUN_ID", "The run"]],
  options: {
    log: { type: "string", value: "N", description: "Log lines to print (default 20, 0 for none)" },
    json: { type: "boolean", description: "Print the run as JSON" },
  },
  examples: ["realismlab runs show 5b0f9c7e-..."],
  async run(ctx, args) {
    const id = single(args.positionals, "a run id");
    const lines = Math.min(int(args, "log", { min: 0 }) ?? 20, 2_000);
    let run;
    try {
      run = (await ctx.client.request(RUN, { id, lines })).run;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      ctx.info(`error: ${error.message}`);
      return EXIT.FAILURE;
    }
    if (!run) {
      ctx.info(`error: run ${JSON.stringify(id)} does not exist`);
      return EXIT.FAILURE;
    }
    if (flag(args, "json")) {
      ctx.out(json(run));
      return EXIT.OK;
    }
    const local = run.executor === "local";
    const rows: Array<[string, string | null | undefined]> = [
      ["Run", `${run.kind} ${run.id}`],
      ["Name", run.name],
      ["Status", run.status],
      ["Progress", run.progress.done != null ? `${run.progress.done}${run.progress.total != null ? `/${run.progress.total}` : ""}` : null],
      ["Group", run.group],
      ["Seed", run.seed != null ? String(run.seed) : null],
      ["Created", formatTime(run.createdAt)],
      ["Started", run.startedAt ? formatTime(run.startedAt) : null],
      ["Finished", run.finishedAt ? formatTime(run.finishedAt) : null],
      ["Executor", run.executor],
      ...(local ? [] : ([["Job", run.executorJobId ?? "(not submitted yet)"], ["Node", run.executorNode ?? "(none yet)"], ["Reason", run.executorReason]] as Array<[string, string | null]>)),
      ["Resources", resourcesText(run.resources)],
      ["Worker", run.worker ? `${run.worker}${run.device ? ` (${run.device})` : ""}` : null],
      ["Error", run.error],
    ];
    const width = Math.max(...rows.map(([label]) => label.length));
    for (const [label, value] of rows) if (value != null && value !== "") ctx.out(`${label.padEnd(width)}  ${String(value).replace(/\n/g, `\n${" ".repeat(width + 2)}`)}`);
    if (run.logTail.length) {
      ctx.out("");
      ctx.out(`Log (last ${run.logTail.length} lines):`);
      for (const line of run.logTail as Array<{ stream: string; line: string }>) ctx.out(`  [${line.stream}] ${line.line}`);
    }
    return EXIT.OK;
  },
};
