import { compact, flag, int, list, str, type ParsedArgs } from "../args";
import type { Command, CommandContext } from "../command";
import { UsageError } from "../errors";
import { NameResolver } from "../resolve";
import { benchmarkInputs } from "./benchmarks";
import { RESOURCE_OPTIONS, resourcesFrom } from "./resource-options";
import { LAUNCH_OUTPUT_OPTIONS, reportLaunchedRuns } from "./shared";
import { graphql } from "../../generated/graphql/cli";
import type { IjbAlignment } from "../../generated/graphql/cli/graphql";

// Keyed by the schema's enum: a new IjbAlignment fails the type-check until it is listed here.
const ALIGNMENT_OF: Record<Lowercase<IjbAlignment>, IjbAlignment> = { landmarks: "LANDMARKS", prealigned: "PREALIGNED", auto: "AUTO" };
const ALIGNMENTS = Object.keys(ALIGNMENT_OF);

function alignmentOption(args: ParsedArgs): IjbAlignment | undefined {
  const value = str(args, "alignment");
  if (value === undefined) return undefined;
  const alignment = ALIGNMENT_OF[value.toLowerCase() as Lowercase<IjbAlignment>];
  if (!alignment) throw new UsageError(`--alignment must be one of ${ALIGNMENTS.join(", ")}, got ${JSON.stringify(value)}`);
  return alignment;
}

export const launchEvaluate: Command = {
  name: "launch evaluate",
  summary: "Queue evaluations of face models on benchmarks",
  usage: "launch evaluate --model NAME|ID... --benchmark NAME[=PATH]... [options]",
  description:
    "Queues one EVALUATE run per face model and prints their ids. A benchmark is one of the registered ones (LFW, CFP-FP, CPLFW, CALFW, AgeDB-30, IJB-B, IJB-C); =PATH evaluates on a local copy (an insightface .bin, or an IJB folder: the release's IJBC/ with meta/ and loose_crop/, or pre-aligned crops in images/), read by the server.",
  options: {
    model: { type: "string", multiple: true, value: "NAME|ID", required: true, description: "Face model to evaluate (repeatable, or comma-separated)" },
    benchmark: { type: "string", multiple: true, value: "NAME[=PATH]", required: true, description: "Benchmark to evaluate on (repeatable)" },
    "allow-non-standard-size": { type: "boolean", description: "Accept benchmarks whose size differs from the protocol's (small test sets)" },
    "batch-size": { type: "string", value: "N", description: "Images per model call (default 64)" },
    "no-detector-score": { type: "boolean", description: "IJB-C: do not weight features by detection score" },
    alignment: { type: "string", value: "landmarks|prealigned|auto", description: "IJB-B/C: align loose crops from their 5 landmarks, use pre-aligned crops, or choose by folder (default auto)" },
    seed: { type: "string", value: "N", description: "Seed recorded when the model has no producing TRAIN run" },
    group: { type: "string", value: "NAME", description: "Group name of the runs" },
    ...RESOURCE_OPTIONS,
    ...LAUNCH_OUTPUT_OPTIONS,
  },
  examples: ["realismlab launch evaluate --model 3f1c... --benchmark LFW --benchmark IJB-C=/data/ijbc --watch"],
  async run(ctx: CommandContext, args: ParsedArgs) {
    const names = new NameResolver(ctx.client);
    const modelValues = list(args, "model");
    if (!modelValues.length) throw new UsageError("missing --model NAME|ID");
    const options = compact({
      batchSize: int(args, "batch-size", { min: 1 }),
      allowNonStandardSize: flag(args, "allow-non-standard-size") || undefined,
      useDetectorScore: flag(args, "no-detector-score") ? false : undefined,
      alignment: alignmentOption(args),
      seed: int(args, "seed"),
      group: str(args, "group"),
    });
    const [models, benchmarks] = await Promise.all([Promise.all(modelValues.map((m) => names.resolve("faceModel", m))), benchmarkInputs(args, names)]);
    const data = await ctx.client.request(
      graphql(`mutation LaunchEvaluation($input: LaunchEvaluationInput!) { launchEvaluation(input: $input) { ...WatchedRun faceModel { id name } } }`),
      { input: { faceModelIds: models.map((m) => m.id), benchmarks, ...(options ? { options } : {}), ...resourcesFrom(args) } },
    );
    const benchmarkList = benchmarks.map((b) => b.name).join(", ");
    return reportLaunchedRuns(ctx, args, data.launchEvaluation, (run) => `Queued EVALUATE run ${run.id}: ${(run as { faceModel?: { name: string } }).faceModel?.name ?? "model"} on ${benchmarkList}`);
  },
};
