// `realismlab methods list|register|attach-model|describe`: realism-transfer methods.
import { choice, flag, float, keyValues, requiredStr, str } from "../args";
import type { Command } from "../command";
import { UsageError } from "../errors";
import { json, table } from "../format";
import { NameResolver } from "../resolve";
import { absolutePath, JSON_OUTPUT, readInputSpec } from "./catalogue-inputs";
import { descriptionArg, single } from "./positionals";
import { graphql } from "../../generated/graphql/cli";
import { MethodFamily, Requirement, type ListTransferMethodsQuery } from "../../generated/graphql/cli/graphql";

const FAMILIES = Object.values(MethodFamily);
const REQUIREMENTS = Object.values(Requirement);

graphql(`fragment ListedMethod on TransferMethod {
  id name family requirement description modelPath inputSpec defaultOptions publishedSecondsPerImage publishedDevice archived
}`);
const LIST = graphql(`query ListTransferMethods($archived: Boolean) {
  transferMethods(includeArchived: $archived) { ...ListedMethod }
  transferMethodTimings { method { id } measured { device secondsPerImage runs } }
}`);
const REGISTER = graphql(`mutation RegisterTransferMethod($input: RegisterTransferMethodInput!) { registerTransferMethod(input: $input) { ...ListedMethod } }`);
const ATTACH = graphql(`mutation AttachTransferMethodModel($id: ID!, $input: AttachTransferMethodModelInput!) { attachTransferMethodModel(id: $id, input: $input) { ...ListedMethod } }`);
const DESCRIBE = graphql(`mutation SetTransferMethodDescription($id: ID!, $d: String) { setTransferMethodDescription(id: $id, description: $d) { id name } }`);

type Timing = ListTransferMethodsQuery["transferMethodTimings"][number];

function measuredCell(rows: Timing["measured"]): string {
  return rows.map((r) => `${r.secondsPerImage.toPrecision(3)} (${r.device}, n=${r.runs})`).join("; ");
}

export const methodsList: Command = {
  name: "methods list",
  summary: "List transfer methods: model (or none yet), paper vs measured seconds per image (Table 1)",
  usage: "methods list [--archived] [--json]",
  options: { archived: { type: "boolean", description: "Include archived methods" }, ...JSON_OUTPUT },
  async run(ctx, args) {
    const data = await ctx.client.request(LIST, { archived: flag(args, "archived") });
    // Table 1: the measured seconds per image (per device) beside the paper's figure.
    const measured = new Map(data.transferMethodTimings.map((t) => [t.method.id, t.measured]));
    if (flag(args, "json")) ctx.out(json(data.transferMethods.map((m) => ({ ...m, measured: measured.get(m.id) ?? [] }))));
    else
      ctx.out(
        table(data.transferMethods, [
          { header: "NAME", value: (m) => m.name + (m.archived ? " (archived)" : "") },
          { header: "FAMILY", value: (m) => m.family },
          { header: "PAPER S/IMG", value: (m) => (m.publishedSecondsPerImage == null ? "" : String(m.publishedSecondsPerImage)), right: true },
          { header: "MEASURED S/IMG", value: (m) => measuredCell(measured.get(m.id) ?? []) },
          { header: "OPTIONS", value: (m) => (Object.keys(m.defaultOptions ?? {}).length ? JSON.stringify(m.defaultOptions) : "") },
          { header: "MODEL", value: (m) => m.modelPath ?? "- (attach one: methods attach-model)" },
          { header: "ID", value: (m) => m.id },
        ]),
      );
    return 0;
  },
};

const MODEL_OPTIONS = {
  model: { type: "string", value: "PATH", description: "The ONNX image-to-image model, inside the server's data roots" },
  spec: { type: "string", value: "FILE", description: "Its input spec as JSON (default: the .spec.json beside the model)" },
  option: { type: "string", multiple: true, value: "KEY=VALUE", description: "A default run option, e.g. fidelityWeight=0.5 (repeatable)" },
} as const;

export const methodsRegister: Command = {
  name: "methods register",
  summary: "Register a new transfer method, with or without its ONNX model",
  usage: "methods register --name NAME --family FAMILY [--model PATH [--spec FILE]] [options]",
  description: "The model is loaded and checked against its input spec by the server before anything is stored. Prints the new id.",
  options: {
    name: { type: "string", value: "NAME", required: true, description: "Unique name" },
    family: { type: "string", value: "FAMILY", required: true, description: "face_restoration, unpaired_i2i, diffusion_inversion or gan_inversion" },
    requirement: { type: "string", value: "REQ", description: "none (default), identity_labels, pretrained_fr" },
    description: { type: "string", value: "TEXT", description: "A line about it" },
    ...MODEL_OPTIONS,
    "published-seconds": { type: "string", value: "S", description: "A published seconds-per-image figure" },
    "published-device": { type: "string", value: "NAME", description: "The device of that figure" },
    ...JSON_OUTPUT,
  },
  examples: ["realismlab methods register --name CodeFormer-mine --family face_restoration --model .data/datasets/fixtures/models/codeformer-like.onnx --option fidelityWeight=0.5"],
  async run(ctx, args) {
    const family = choice("--family", str(args, "family")!, FAMILIES);
    const requirement = str(args, "requirement");
    const modelPath = absolutePath(args, "model");
    if (!modelPath && str(args, "spec")) throw new UsageError("--spec goes with --model");
    const input = {
      name: requiredStr(args, "name"),
      family,
      requirement: requirement ? choice("--requirement", requirement, REQUIREMENTS) : "NONE",
      description: str(args, "description") ?? null,
      modelPath: modelPath ?? null,
      inputSpec: modelPath ? await readInputSpec(args, modelPath) : null,
      defaultOptions: keyValues(args, "option") ?? null,
      publishedSecondsPerImage: float(args, "published-seconds", { min: 0 }) ?? null,
      publishedDevice: str(args, "published-device") ?? null,
    };
    const data = await ctx.client.request(REGISTER, { input });
    const method = data.registerTransferMethod;
    ctx.info(`Registered transfer method ${method.name} (${method.family})${method.modelPath ? ` with ${method.modelPath}` : ", no model yet"}`);
    ctx.out(flag(args, "json") ? json(method) : method.id);
    return 0;
  },
};

export const methodsAttachModel: Command = {
  name: "methods attach-model",
  summary: "Attach or replace a method's ONNX model and input spec (makes a paper method runnable)",
  usage: "methods attach-model NAME|ID --model PATH [--spec FILE] [--option KEY=VALUE...]",
  description: "Checked exactly as registration checks it (inside the data roots, loads, matches its spec). --option replaces the method's default options.",
  positionals: [["NAME|ID", "The method, e.g. CodeFormer"]],
  options: { ...MODEL_OPTIONS, model: { ...MODEL_OPTIONS.model, required: true }, ...JSON_OUTPUT },
  examples: ["realismlab methods attach-model CodeFormer --model /data/models/codeformer.onnx --spec /data/models/codeformer.spec.json"],
  async run(ctx, args) {
    const method = await new NameResolver(ctx.client, { archived: true }).resolve("transferMethod", single(args.positionals, "a method name or id"));
    const modelPath = absolutePath(args, "model")!;
    const options = keyValues(args, "option");
    const input = { modelPath, inputSpec: await readInputSpec(args, modelPath), ...(options ? { defaultOptions: options } : {}) };
    const data = await ctx.client.request(ATTACH, { id: method.id, input });
    ctx.info(`Transfer method ${data.attachTransferMethodModel.name} now runs ${data.attachTransferMethodModel.modelPath}`);
    ctx.out(flag(args, "json") ? json(data.attachTransferMethodModel) : data.attachTransferMethodModel.id);
    return 0;
  },
};

export const methodsDescribe: Command = {
  name: "methods describe",
  summary: "Replace a method's description (--clear removes it)",
  usage: "methods describe NAME|ID (--description TEXT | --clear)",
  positionals: [["NAME|ID", "The method"]],
  options: {
    description: { type: "string", value: "TEXT", description: "The new description" },
    clear: { type: "boolean", description: "Remove the description" },
  },
  async run(ctx, args) {
    const method = await new NameResolver(ctx.client, { archived: true }).resolve("transferMethod", single(args.positionals, "a method name or id"));
    const description = descriptionArg(args);
    const data = await ctx.client.request(DESCRIBE, { id: method.id, d: description });
    ctx.info(`Transfer method ${data.setTransferMethodDescription.name}: description ${description == null ? "cleared" : "replaced"}`);
    ctx.out(data.setTransferMethodDescription.id);
    return 0;
  },
};
