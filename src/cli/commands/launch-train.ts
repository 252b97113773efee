import { int, keyValues, str, type ParsedArgs } from "../args";
import type { Command, CommandContext } from "../command";
import { NameResolver } from "../resolve";
import { RESOURCE_OPTIONS, resourcesFrom } from "./resource-options";
import { LAUNCH_OUTPUT_OPTIONS, reportLaunchedRuns } from "./shared";
import { graphql } from "../../generated/graphql/cli";

export const launchTrain: Command = {
  name: "launch train",
  summary: "Queue a face-recognition training with a registered trainer",
  usage: "launch train --dataset NAME|ID --trainer NAME|ID [--seed N] [--param KEY=VALUE...] [options]",
  description: "Queues a TRAIN run and prints its id. When it succeeds its exported model is registered as a face model.",
  options: {
    dataset: { type: "string", value: "NAME|ID", required: true, description: "Training dataset" },
    trainer: { type: "string", value: "NAME|ID", required: true, description: "Registered trainer" },
    seed: { type: "string", value: "N", description: "Seed passed to the trainer ({seed})" },
    param: { type: "string", multiple: true, value: "KEY=VALUE", description: "Trainer parameter ({param.KEY}); repeatable; values parsed as JSON when they can be (epochs=2 is a number)" },
    group: { type: "string", value: "NAME", description: "Group shared by the repeats of one configuration" },
    "max-attempts": { type: "string", value: "N", description: "Starts allowed when a worker is lost mid-run (default 1)" },
    ...RESOURCE_OPTIONS,
    ...LAUNCH_OUTPUT_OPTIONS,
  },
  examples: ["realismlab launch train --dataset DigiFace1M-CodeFormer --trainer ir50-adaface --seed 1 --param epochs=26 --watch"],
  async run(ctx: CommandContext, args: ParsedArgs) {
    const seed = int(args, "seed");
    const params = keyValues(args, "param");
    const maxAttempts = int(args, "max-attempts", { min: 1 });
    const names = new NameResolver(ctx.client);
    const [dataset, trainer] = await Promise.all([names.resolve("dataset", str(args, "dataset")!), names.resolve("trainer", str(args, "trainer")!)]);
    const data = await ctx.client.request(
      graphql(`mutation LaunchTrain($datasetId: ID!, $trainerId: ID!, $seed: Int, $params: JSON, $group: String, $maxAttempts: Int, $executor: String, $resources: RunResourcesInput) {
        launchTraining(datasetId: $datasetId, trainerId: $trainerId, seed: $seed, params: $params, group: $group, maxAttempts: $maxAttempts, executor: $executor, resources: $resources) { ...WatchedRun } }`),
      { datasetId: dataset.id, trainerId: trainer.id, seed: seed ?? null, params: params ?? null, group: str(args, "group") ?? null, maxAttempts: maxAttempts ?? null, ...resourcesFrom(args) },
    );
    return reportLaunchedRuns(ctx, args, [data.launchTraining], (run) => `Queued TRAIN run ${run.id}: ${trainer.name} on ${dataset.name}${run.seed != null ? `, seed ${run.seed}` : ""}`);
  },
};
