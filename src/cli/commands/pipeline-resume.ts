// `pipeline resume`: resumes FAILED or CANCELLED pipelines (finished steps are kept,
// broken ones queued again), optionally watching them to the end.
import type { Command } from "../command";
import { UsageError } from "../errors";
import { LAUNCH_OUTPUT_OPTIONS, reportLaunchedPipelines } from "./shared";
import { graphql } from "../../generated/graphql/cli";


export const pipelineResume: Command = {
  name: "pipeline resume",
  summary: "Resume failed or cancelled pipelines, reusing their finished steps",
  usage: "pipeline resume PIPELINE_ID... [--watch] [--json]",
  description:
    "Keeps what finished (the transferred dataset, trained models, succeeded evaluations) and queues again only the steps that failed or were cancelled (a transfer skips the images it already wrote). Checked like a launch first: a benchmark file or model that is gone is refused and nothing changes. Exits 1 if a pipeline is unknown or not FAILED/CANCELLED (or, with --watch, when one does not succeed).",
  positionals: [["PIPELINE_ID...", "Pipelines to resume"]],
  options: LAUNCH_OUTPUT_OPTIONS,
  examples: ["realismlab pipeline resume 9d2e... --watch"],
  async run(ctx, args) {
    const ids = args.positionals;
    if (!ids.length) throw new UsageError("give at least one pipeline id to resume");
    const resumed = [];
    for (const id of ids) {
      const data = await ctx.client.request(graphql(`mutation ResumePipeline($id: ID!) { resumePipeline(id: $id) { ...WatchedPipeline } }`), { id });
      resumed.push(data.resumePipeline);
    }
    return reportLaunchedPipelines(ctx, args, resumed, "Resumed");
  },
};
