import { compact, float, int, keyValues, str, type ParsedArgs } from "../args";
import type { Command, CommandContext } from "../command";
import { NameResolver } from "../resolve";
import { RESOURCE_OPTIONS, resourcesFrom } from "./resource-options";
import { LAUNCH_OUTPUT_OPTIONS, reportLaunchedRuns } from "./shared";
import { graphql } from "../../generated/graphql/cli";

export const TRANSFER_OPTIONS = {
  "batch-size": { type: "string", value: "N", description: "Images per model call (default 8)" },
  limit: { type: "string", value: "N", description: "Only the first N images (sorted identity/file order)" },
  "output-name": { type: "string", value: "NAME", description: "Name of the output dataset (default <dataset>-<method>)" },
  "fidelity-weight": { type: "string", value: "W", description: "CodeFormer's fidelity weight w in [0, 1]" },
  steps: { type: "string", value: "N", description: "Iterations of a scheduled method (UNSB: 1 or 5)" },
  "method-option": { type: "string", multiple: true, value: "KEY=VALUE", description: "Any other option the model reads (repeatable; values parsed as JSON when they can be)" },
} as const;

/** LaunchTransferOptions from the shared transfer flags (batch size under `batchSizeFlag`). */
export function transferOptions(args: ParsedArgs, batchSizeFlag = "batch-size") {
  return compact({
    batchSize: int(args, batchSizeFlag, { min: 1 }),
    limit: int(args, "limit", { min: 1 }),
    outputName: str(args, "output-name"),
    fidelityWeight: float(args, "fidelity-weight", { min: 0, max: 1 }),
    steps: int(args, "steps", { min: 1 }),
    methodOptions: keyValues(args, "method-option"),
  });
}

export const launchTransfer: Command = {
  name: "launch transfer",
  summary: "Queue a realism transfer of a dataset with a transfer method",
  usage: "launch transfer --dataset NAME|ID --method NAME|ID [options]",
  description: "Queues a TRANSFER run and prints its id. The output dataset is registered when the run succeeds.",
  options: {
    dataset: { type: "string", value: "NAME|ID", required: true, description: "Dataset to transfer" },
    method: { type: "string", value: "NAME|ID", required: true, description: "Transfer method (its ONNX model)" },
    ...TRANSFER_OPTIONS,
    seed: { type: "string", value: "N", description: "Seeds noise inputs (default 0)" },
    "max-failure-share": { type: "string", value: "F", description: "Share of unreadable images (0..1) above which the run fails (default 0.01)" },
    "max-attempts": { type: "string", value: "N", description: "Starts allowed when a worker is lost mid-run (default 1)" },
    group: { type: "string", value: "NAME", description: "Group name of the run" },
    ...RESOURCE_OPTIONS,
    ...LAUNCH_OUTPUT_OPTIONS,
  },
  examples: [
    "realismlab launch transfer --dataset DigiFace1M --method CodeFormer --fidelity-weight 0.7 --watch",
    "realismlab launch transfer --dataset DigiFace1M --method UNSB-NE-5 --steps 5 --limit 1000",
  ],
  async run(ctx: CommandContext, args: ParsedArgs) {
    const options = compact({
      ...transferOptions(args),
      seed: int(args, "seed"),
      maxFailureShare: float(args, "max-failure-share", { min: 0, max: 1 }),
      maxAttempts: int(args, "max-attempts", { min: 1 }),
      group: str(args, "group"),
    });
    const names = new NameResolver(ctx.client);
    const [dataset, method] = await Promise.all([names.resolve("dataset", str(args, "dataset")!), names.resolve("transferMethod", str(args, "method")!)]);
    const data = await ctx.client.request(
      graphql(`mutation LaunchTransfer($datasetId: ID!, $methodId: ID!, $options: LaunchTransferOptions, $executor: String, $resources: RunResourcesInput) {
        launchTransfer(datasetId: $datasetId, methodId: $methodId, options: $options, executor: $executor, resources: $resources) { ...WatchedRun } }`),
      { datasetId: dataset.id, methodId: method.id, options: options ?? null, ...resourcesFrom(args) },
    );
    return reportLaunchedRuns(ctx, args, [data.launchTransfer], (run) => `Queued TRANSFER run ${run.id}: ${dataset.name} with ${method.name}`);
  },
};
