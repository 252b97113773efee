// `realismlab datasets list|register|set-folder|describe`: the dataset catalogue.
import { choice, flag, int, requiredStr, str } from "../args";
import type { Command } from "../command";
import { json, table } from "../format";
import { NameResolver } from "../resolve";
import { absolutePath, JSON_OUTPUT } from "./catalogue-inputs";
import { descriptionArg, single } from "./positionals";
import { graphql } from "../../generated/graphql/cli";
import { DatasetKind, Requirement } from "../../generated/graphql/cli/graphql";

const KINDS = Object.values(DatasetKind);
const REQUIREMENTS = Object.values(Requirement);

graphql(`fragment ListedDataset on Dataset {
  id name kind requirement description identityCount imageCount uri archived sourceDataset { name } transferMethod { name }
}`);
const LIST = graphql(`query ListDatasets($kind: DatasetKind, $archived: Boolean) { datasets(kind: $kind, includeArchived: $archived) { ...ListedDataset } }`);
const CREATE = graphql(`mutation CreateDataset($input: CreateDatasetInput!) { createDataset(input: $input) { ...ListedDataset } }`);
const SET_FOLDER = graphql(`mutation SetDatasetFolder($id: ID!, $input: SetDatasetFolderInput!) { setDatasetFolder(id: $id, input: $input) { ...ListedDataset } }`);
const DESCRIBE = graphql(`mutation SetDatasetDescription($id: ID!, $d: String) { setDatasetDescription(id: $id, description: $d) { id name } }`);

export const datasetsList: Command = {
  name: "datasets list",
  summary: "List datasets (archived ones with --archived)",
  usage: "datasets list [--kind KIND] [--archived] [--json]",
  options: {
    kind: { type: "string", value: "KIND", description: "real, synthetic or realism_transferred" },
    archived: { type: "boolean", description: "Include archived datasets" },
    ...JSON_OUTPUT,
  },
  async run(ctx, args) {
    const kind = str(args, "kind");
    const data = await ctx.client.request(LIST, {
      kind: kind ? choice("--kind", kind, KINDS) : null, archived: flag(args, "archived"),
    });
    if (flag(args, "json")) ctx.out(json(data.datasets));
    else if (!data.datasets.length) ctx.info("no datasets");
    else
      ctx.out(
        table(data.datasets, [
          { header: "NAME", value: (d) => d.name + (d.archived ? " (archived)" : "") },
          { header: "KIND", value: (d) => d.kind },
          { header: "FROM", value: (d) => (d.sourceDataset ? `${d.sourceDataset.name}${d.transferMethod ? ` + ${d.transferMethod.name}` : ""}` : "") },
          { header: "IMAGES", value: (d) => (d.imageCount == null ? "" : String(d.imageCount)), right: true },
          { header: "FOLDER", value: (d) => d.uri ?? "-" },
          { header: "ID", value: (d) => d.id },
        ]),
      );
    return 0;
  },
};

export const datasetsRegister: Command = {
  name: "datasets register",
  summary: "Register a dataset folder (identity subfolders of PNG/JPEG images)",
  usage: "datasets register --name NAME --folder PATH [--kind KIND] [--requirement REQ] [options]",
  description: "The folder must exist inside the server's data roots (DATA_ROOTS). A REALISM_TRANSFERRED dataset names the dataset it came from (--source). Prints the new id.",
  options: {
    name: { type: "string", value: "NAME", required: true, description: "Unique name" },
    folder: { type: "string", value: "PATH", description: "Its folder (made absolute from here)" },
    kind: { type: "string", value: "KIND", description: "synthetic (default), real or realism_transferred" },
    requirement: { type: "string", value: "REQ", description: "What producing it needed: none (default), identity_labels, pretrained_fr" },
    description: { type: "string", value: "TEXT", description: "A line about it" },
    identities: { type: "string", value: "N", description: "Number of identities" },
    images: { type: "string", value: "N", description: "Number of images" },
    source: { type: "string", value: "NAME|ID", description: "The dataset it was transferred from" },
    method: { type: "string", value: "NAME|ID", description: "The transfer method that produced it" },
    ...JSON_OUTPUT,
  },
  examples: ["realismlab datasets register --name DigiFace-mini --folder .data/datasets/fixtures/digiface-mini"],
  async run(ctx, args) {
    const names = new NameResolver(ctx.client);
    const kind = str(args, "kind");
    const requirement = str(args, "requirement");
    const source = str(args, "source");
    const method = str(args, "method");
    const input = {
      name: requiredStr(args, "name"),
      kind: kind ? choice("--kind", kind, KINDS) : "SYNTHETIC",
      requirement: requirement ? choice("--requirement", requirement, REQUIREMENTS) : "NONE",
      description: str(args, "description") ?? null,
      identityCount: int(args, "identities", { min: 0 }) ?? null,
      imageCount: int(args, "images", { min: 0 }) ?? null,
      uri: absolutePath(args, "folder") ?? null,
      sourceDatasetId: source ? await names.id("dataset", source) : null,
      transferMethodId: method ? await names.id("transferMethod", method) : null,
    };
    const data = await ctx.client.request(CREATE, { input });
    ctx.info(`Registered dataset ${data.createDataset.name} (${data.createDataset.kind})${data.createDataset.uri ? ` at ${data.createDataset.uri}` : ""}`);
    ctx.out(flag(args, "json") ? json(data.createDataset) : data.createDataset.id);
    return 0;
  },
};

export const datasetsSetFolder: Command = {
  name: "datasets set-folder",
  summary: "Set or replace a dataset's folder (e.g. for the seeded DigiFace1M)",
  usage: "datasets set-folder NAME|ID --folder PATH [--images N] [--identities N]",
  positionals: [["NAME|ID", "The dataset"]],
  options: {
    folder: { type: "string", value: "PATH", required: true, description: "An existing folder inside the server's data roots" },
    identities: { type: "string", value: "N", description: "Number of identities" },
    images: { type: "string", value: "N", description: "Number of images" },
    ...JSON_OUTPUT,
  },
  examples: ["realismlab datasets set-folder DigiFace1M --folder /data/digiface1m"],
  async run(ctx, args) {
    const dataset = await new NameResolver(ctx.client, { archived: true }).resolve("dataset", single(args.positionals, "a dataset name or id"));
    const identities = int(args, "identities", { min: 0 });
    const images = int(args, "images", { min: 0 });
    const input = {
      uri: absolutePath(args, "folder")!, // required: the parser refuses a missing --folder
      ...(identities !== undefined ? { identityCount: identities } : {}),
      ...(images !== undefined ? { imageCount: images } : {}),
    };
    const data = await ctx.client.request(SET_FOLDER, { id: dataset.id, input });
    ctx.info(`Dataset ${data.setDatasetFolder.name} now reads ${data.setDatasetFolder.uri}`);
    ctx.out(flag(args, "json") ? json(data.setDatasetFolder) : data.setDatasetFolder.id);
    return 0;
  },
};

export const datasetsDescribe: Command = {
  name: "datasets describe",
  summary: "Replace a dataset's description (--clear removes it)",
  usage: "datasets describe NAME|ID (--description TEXT | --clear)",
  positionals: [["NAME|ID", "The dataset"]],
  options: {
    description: { type: "string", value: "TEXT", description: "The new description" },
    clear: { type: "boolean", description: "Remove the description" },
  },
  async run(ctx, args) {
    const dataset = await new NameResolver(ctx.client, { archived: true }).resolve("dataset", single(args.positionals, "a dataset name or id"));
    const description = descriptionArg(args);
    const data = await ctx.client.request(DESCRIBE, { id: dataset.id, d: description });
    ctx.info(`Dataset ${data.setDatasetDescription.name}: description ${description == null ? "cleared" : "replaced"}`);
    ctx.out(data.setDatasetDescription.id);
    return 0;
  },
};
