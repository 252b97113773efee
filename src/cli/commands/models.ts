// `realismlab models list|register`: face-recognition models (ONNX embedders).
import { flag, requiredStr, str } from "../args";
import type { Command } from "../command";
import { formatTime, json, table } from "../format";
import { NameResolver } from "../resolve";
import { absolutePath, JSON_OUTPUT, readInputSpec } from "./catalogue-inputs";
import { graphql } from "../../generated/graphql/cli";

graphql(`fragment ListedFaceModel on FaceModel { id name backbone head modelPath inputSpec createdAt trainedOn { name } producedByRun { id } }`);
const LIST = graphql(`query ListFaceModels { faceModels { ...ListedFaceModel } }`);
const REGISTER = graphql(`mutation RegisterFaceModel($input: RegisterFaceModelInput!) { registerFaceModel(input: $input) { ...ListedFaceModel } }`);

export const modelsList: Command = {
  name: "models list",
  summary: "List face models (registered, or produced by TRAIN runs)",
  usage: "models list [--json]",
  options: { ...JSON_OUTPUT },
  async run(ctx, args) {
    const data = await ctx.client.request(LIST);
    if (flag(args, "json")) ctx.out(json(data.faceModels));
    else if (!data.faceModels.length) ctx.info("no face models yet (train one, or realismlab models register --help)");
    else
      ctx.out(
        table(data.faceModels, [
          { header: "NAME", value: (m) => m.name },
          { header: "MODEL", value: (m) => `${m.backbone} + ${m.head}` },
          { header: "TRAINED ON", value: (m) => m.trainedOn?.name ?? "" },
          { header: "BY RUN", value: (m) => m.producedByRun?.id ?? "" },
          { header: "CREATED", value: (m) => formatTime(m.createdAt) },
          { header: "ID", value: (m) => m.id },
        ]),
      );
    return 0;
  },
};

export const modelsRegister: Command = {
  name: "models register",
  summary: "Register an ONNX face-recognition model to evaluate",
  usage: "models register --name NAME --model PATH --backbone B --head H [--spec FILE] [--trained-on DATASET]",
  description: "The model must sit inside the server's data roots; it is loaded and checked against its spec. Prints the new id.",
  options: {
    name: { type: "string", value: "NAME", required: true, description: "Unique name" },
    model: { type: "string", value: "PATH", required: true, description: "The ONNX embedding model" },
    spec: { type: "string", value: "FILE", description: "Its input spec as JSON (default: the .spec.json beside the model)" },
    backbone: { type: "string", value: "NAME", required: true, description: "e.g. IR50" },
    head: { type: "string", value: "NAME", required: true, description: "e.g. AdaFace" },
    "trained-on": { type: "string", value: "NAME|ID", description: "The dataset it was trained on" },
    ...JSON_OUTPUT,
  },
  async run(ctx, args) {
    const trainedOn = str(args, "trained-on");
    const modelPath = absolutePath(args, "model")!;
    const input = {
      name: requiredStr(args, "name"),
      backbone: requiredStr(args, "backbone"),
      head: requiredStr(args, "head"),
      modelPath,
      inputSpec: await readInputSpec(args, modelPath),
      trainedOnId: trainedOn ? await new NameResolver(ctx.client).id("dataset", trainedOn) : null,
    };
    const data = await ctx.client.request(REGISTER, { input });
    ctx.info(`Registered face model ${data.registerFaceModel.name} (${data.registerFaceModel.backbone} + ${data.registerFaceModel.head})`);
    ctx.out(flag(args, "json") ? json(data.registerFaceModel) : data.registerFaceModel.id);
    return 0;
  },
};
