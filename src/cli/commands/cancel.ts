import { flag } from "../args";
import type { Command } from "../command";
import { ApiError, EXIT, UsageError } from "../errors";
import { graphql } from "../../generated/graphql/cli";

const CANCEL_PIPELINE = graphql(`mutation CancelPipeline($id: ID!) { cancelPipeline(id: $id) { id status } }`);
const CANCEL_RUN = graphql(`mutation CancelRun($id: ID!) { cancelRun(id: $id) { id kind status } }`);

export const cancel: Command = {
  name: "cancel",
  summary: "Cancel queued or running runs (or pipelines)",
  usage: "cancel RUN_ID... [--pipeline]",
  description: "A running run stops within a few seconds. Cancelling a pipeline cancels its queued and running steps. Exits 1 if any id could not be cancelled (unknown, or already finished).",
  positionals: [["RUN_ID...", "Runs to cancel (with --pipeline: pipeline ids)"]],
  options: {
    pipeline: { type: "boolean", description: "The ids are pipelines" },
  },
  async run(ctx, args) {
    const ids = args.positionals;
    if (!ids.length) throw new UsageError("give at least one id to cancel");
    const pipeline = flag(args, "pipeline");
    let code: number = EXIT.OK;
    for (const id of ids) {
      try {
        const result = pipeline
          ? (await ctx.client.request(CANCEL_PIPELINE, { id })).cancelPipeline
          : (await ctx.client.request(CANCEL_RUN, { id })).cancelRun;
        ctx.info(`${"kind" in result ? `${result.kind} run` : "pipeline"} ${result.id} ${result.status}`);
        ctx.out(result.id);
      } catch (error) {
        // Report and go on with the other ids; a connection failure stops everything.
        if (!(error instanceof ApiError)) throw error;
        ctx.info(`error: cannot cancel ${id}: ${error.message}`);
        code = EXIT.FAILURE;
      }
    }
    return code;
  },
};
