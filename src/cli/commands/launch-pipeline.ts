import { compact, flag, int, intList, keyValues, str, type ParsedArgs } from "../args";
import type { Command, CommandContext } from "../command";
import { UsageError } from "../errors";
import { NameResolver } from "../resolve";
import { benchmarkInputs } from "./benchmarks";
import { TRANSFER_OPTIONS, transferOptions } from "./launch-transfer";
import { RESOURCE_OPTIONS, resourcesFrom } from "./resource-options";
import { LAUNCH_OUTPUT_OPTIONS, reportLaunchedPipelines } from "./shared";
import { graphql } from "../../generated/graphql/cli";

const { "batch-size": _batchSize, ...transferFlags } = TRANSFER_OPTIONS;


/** --executor/--gpus/... apply to the TRAIN steps (trainExecutor, trainResources). */
function trainChoice(args: ParsedArgs) {
  const { executor, resources } = resourcesFrom(args);
  return { ...(executor ? { trainExecutor: executor } : {}), ...(resources ? { trainResources: resources } : {}) };
}

export const launchPipeline: Command = {
  name: "launch pipeline",
  summary: "Launch the paper's experiment: transfer -> train x repeats -> evaluate",
  usage: "launch pipeline --dataset NAME|ID --method NAME|ID --trainer NAME|ID --benchmark NAME[=PATH]... --repeats N [options]",
  description:
    "Transfers the dataset once, trains `repeats` times with different seeds (one group), evaluates each model on the benchmarks. --baseline also runs the same pipeline on the untransferred dataset so the leaderboard shows the delta; --baseline without --method runs the baseline alone. Prints the pipeline id(s).",
  options: {
    dataset: { type: "string", value: "NAME|ID", required: true, description: "Source dataset" },
    method: { type: "string", value: "NAME|ID", description: "Transfer method (leave out with --baseline for the baseline alone)" },
    trainer: { type: "string", value: "NAME|ID", required: true, description: "Registered trainer" },
    benchmark: { type: "string", multiple: true, value: "NAME[=PATH]", required: true, description: "Benchmark to evaluate on (repeatable)" },
    repeats: { type: "string", value: "N", required: true, description: "Trainings (with different seeds) per dataset" },
    seeds: { type: "string", value: "S1,S2,...", description: "One seed per repeat (default 0, 1, ...)" },
    baseline: { type: "boolean", description: "Also run the pipeline on the untransferred source dataset" },
    param: { type: "string", multiple: true, value: "KEY=VALUE", description: "Trainer parameter (repeatable)" },
    "transfer-batch-size": { type: "string", value: "N", description: "Transfer: images per model call" },
    ...transferFlags,
    "eval-batch-size": { type: "string", value: "N", description: "Evaluation: images per model call" },
    "allow-non-standard-size": { type: "boolean", description: "Evaluation: accept benchmarks of non-protocol size" },
    // Where the TRAIN steps execute and what each asks of the cluster.
    ...RESOURCE_OPTIONS,
    ...LAUNCH_OUTPUT_OPTIONS,
  },
  examples: [
    "realismlab launch pipeline --dataset DigiFace1M --method CodeFormer --trainer ir50-adaface --benchmark LFW --benchmark CFP-FP --repeats 3 --baseline --watch",
  ],
  async run(ctx: CommandContext, args: ParsedArgs) {
    const repeats = int(args, "repeats", { min: 1 })!;
    const seeds = intList(args, "seeds");
    if (seeds && seeds.length !== repeats) throw new UsageError(`--seeds gives ${seeds.length} seed(s) for --repeats ${repeats}`);
    const baseline = flag(args, "baseline");
    if (!str(args, "method") && !baseline) throw new UsageError("missing --method NAME|ID (or --baseline for the untransferred baseline alone)");
    const transfer = transferOptions(args, "transfer-batch-size");
    const evaluation = compact({
      batchSize: int(args, "eval-batch-size", { min: 1 }),
      allowNonStandardSize: flag(args, "allow-non-standard-size") || undefined,
    });
    const params = keyValues(args, "param");
    const names = new NameResolver(ctx.client);
    const methodName = str(args, "method");
    const [dataset, method, trainer, benchmarks] = await Promise.all([
      names.resolve("dataset", str(args, "dataset")!),
      methodName ? names.resolve("transferMethod", methodName) : Promise.resolve(null),
      names.resolve("trainer", str(args, "trainer")!),
      benchmarkInputs(args, names),
    ]);
    const input = {
      sourceDatasetId: dataset.id,
      methodId: method?.id ?? null,
      ...(transfer && method ? { transferOptions: transfer } : {}),
      trainerId: trainer.id,
      ...(params ? { trainParams: params } : {}),
      benchmarks,
      ...(evaluation ? { evaluationOptions: evaluation } : {}),
      repeats,
      ...(seeds ? { seeds } : {}),
      ...(baseline ? { includeBaseline: true } : {}),
      ...trainChoice(args),
    };
    const data = await ctx.client.request(graphql(`mutation LaunchPipeline($input: LaunchPipelineInput!) { launchPipeline(input: $input) { ...WatchedPipeline } }`), { input });
    return reportLaunchedPipelines(ctx, args, data.launchPipeline);
  },
};
