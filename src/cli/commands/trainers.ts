// `realismlab trainers list|register`: external trainers (README "Trainer contract").
import path from "node:path";
import { flag, keyValues, list, requiredStr, str } from "../args";
import type { Command } from "../command";
import { UsageError } from "../errors";
import { json, table } from "../format";
import { absolutePath, JSON_OUTPUT, readInputSpec } from "./catalogue-inputs";
import { graphql } from "../../generated/graphql/cli";

graphql(`fragment ListedTrainer on Trainer { id name command workingDirectory environment modelOutput inputSpec backbone head defaultParams }`);
const LIST = graphql(`query ListTrainers { trainers { ...ListedTrainer } }`);
const REGISTER = graphql(`mutation RegisterTrainer($input: RegisterTrainerInput!) { registerTrainer(input: $input) { ...ListedTrainer } }`);

export const trainersList: Command = {
  name: "trainers list",
  summary: "List registered trainers",
  usage: "trainers list [--json]",
  options: { ...JSON_OUTPUT },
  async run(ctx, args) {
    const data = await ctx.client.request(LIST);
    if (flag(args, "json")) ctx.out(json(data.trainers));
    else if (!data.trainers.length) ctx.info("no trainers are registered (realismlab trainers register --help)");
    else
      ctx.out(
        table(data.trainers, [
          { header: "NAME", value: (t) => t.name },
          { header: "MODEL", value: (t) => `${t.backbone} + ${t.head}` },
          { header: "PARAMS", value: (t) => (Object.keys(t.defaultParams ?? {}).length ? JSON.stringify(t.defaultParams) : "") },
          { header: "COMMAND", value: (t) => t.command.join(" ") },
          { header: "ID", value: (t) => t.id },
        ]),
      );
    return 0;
  },
};

export const trainersRegister: Command = {
  name: "trainers register",
  summary: "Register an external trainer (ADMIN)",
  usage: "trainers register --name NAME --command-line CMD --spec FILE --backbone B --head H [options]",
  description:
    "The command runs without a shell for every TRAIN run, with placeholders {datasetPath} {datasetName} {outputDir} {seed} {runId} {apiUrl} {param.NAME} filled in; --command-line is split like a shell would (quotes honoured, operators refused). Its exported ONNX embedding model must match --spec. Prints the new id.",
  options: {
    name: { type: "string", value: "NAME", required: true, description: "Unique name" },
    "command-line": { type: "string", value: "CMD", description: "The command line, e.g. \"python train.py --data {datasetPath} --out {outputDir} --seed {seed}\"" },
    arg: { type: "string", multiple: true, value: "ARG", description: "The command as argv, one --arg per word (instead of --command-line); --arg=--flag for a word starting with -" },
    "working-directory": { type: "string", value: "DIR", description: "Where it runs (default: the current folder)" },
    "model-output": { type: "string", value: "PATH", description: "Where it leaves the model (default {outputDir}/model.onnx)" },
    spec: { type: "string", value: "FILE", required: true, description: "Input spec of the exported embedding model (JSON)" },
    backbone: { type: "string", value: "NAME", required: true, description: "e.g. IR50" },
    head: { type: "string", value: "NAME", required: true, description: "e.g. AdaFace" },
    param: { type: "string", multiple: true, value: "KEY=VALUE", description: "A default parameter ({param.KEY}); repeatable" },
    env: { type: "string", multiple: true, value: "KEY=VALUE", description: "An environment variable for the process; repeatable" },
    ...JSON_OUTPUT,
  },
  examples: ['realismlab trainers register --name ir50-adaface --command-line "python train.py --data {datasetPath} --out {outputDir} --seed {seed}" --spec ir50.spec.json --backbone IR50 --head AdaFace --param epochs=26'],
  async run(ctx, args) {
    const commandLine = str(args, "command-line");
    const argv = list(args, "arg", { split: false });
    if (Boolean(commandLine) === Boolean(argv.length)) throw new UsageError("give --command-line CMD or --arg ARG... (one of the two)");
    const environment = keyValues(args, "env");
    const input = {
      name: requiredStr(args, "name"),
      ...(commandLine ? { commandLine } : { command: argv }),
      workingDirectory: absolutePath(args, "working-directory") ?? path.resolve("."),
      modelOutput: str(args, "model-output") ?? "{outputDir}/model.onnx",
      inputSpec: await readInputSpec(args, ""),
      backbone: requiredStr(args, "backbone"),
      head: requiredStr(args, "head"),
      defaultParams: keyValues(args, "param") ?? null,
      environment: environment ? Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])) : null,
    };
    const data = await ctx.client.request(REGISTER, { input });
    ctx.info(`Registered trainer ${data.registerTrainer.name} (${data.registerTrainer.backbone} + ${data.registerTrainer.head})`);
    ctx.out(flag(args, "json") ? json(data.registerTrainer) : data.registerTrainer.id);
    return 0;
  },
};
