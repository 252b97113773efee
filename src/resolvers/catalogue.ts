// Datasets, transfer methods, face models and benchmarks: parse -> service -> shape.
import type { Dataset, FaceModel, TransferMethod } from "../generated/prisma/client";
import type { DatasetKind } from "../generated/prisma/enums";
import type { GraphQLContext } from "../graphql/context";
import type {
  AttachMethodModelInput,
  CreateDatasetInput,
  RegisterFaceModelInput,
  RegisterTransferMethodInput,
  SetDatasetFolderInput,
} from "../services/catalogue-service";

type Ctx = GraphQLContext;

async function lineageOf(dataset: Dataset, ctx: Ctx): Promise<Dataset[]> {
  const chain = [dataset];
  const seen = new Set([dataset.id]);
  let current = dataset;
  while (current.sourceDatasetId && !seen.has(current.sourceDatasetId)) {
    const parent = await ctx.loaders.dataset.load(current.sourceDatasetId);
    if (!parent) break;
    seen.add(parent.id);
    chain.unshift(parent);
    current = parent;
  }
  return chain;
}

export const catalogueResolvers = {
  Query: {
    datasets: (_: unknown, args: { kind?: DatasetKind | null; includeArchived?: boolean | null }, ctx: Ctx) =>
      ctx.services.catalogue.listDatasets(args.kind ?? undefined, args.includeArchived ?? false),
    dataset: (_: unknown, args: { id?: string | null; name?: string | null }, ctx: Ctx) =>
      ctx.services.catalogue.datasetByIdOrName(args.id, args.name),
    transferMethods: (_: unknown, args: { includeArchived?: boolean | null }, ctx: Ctx) =>
      ctx.services.catalogue.listMethods(args.includeArchived ?? false),
    transferMethod: (_: unknown, args: { id?: string | null; name?: string | null }, ctx: Ctx) =>
      ctx.services.catalogue.methodByIdOrName(args.id, args.name),
    faceModels: (_: unknown, __: unknown, ctx: Ctx) => ctx.services.catalogue.listFaceModels(),
    faceModel: (_: unknown, args: { id: string }, ctx: Ctx) => ctx.loaders.faceModel.load(args.id),
    benchmarks: (_: unknown, __: unknown, ctx: Ctx) => ctx.services.catalogue.listBenchmarks(),
  },
  Mutation: {
    createDataset: (_: unknown, args: { input: CreateDatasetInput }, ctx: Ctx) =>
      ctx.services.catalogue.createDataset(args.input),
    registerTransferMethod: (_: unknown, args: { input: RegisterTransferMethodInput }, ctx: Ctx) =>
      ctx.services.catalogue.registerTransferMethod(args.input),
    registerFaceModel: (_: unknown, args: { input: RegisterFaceModelInput }, ctx: Ctx) =>
      ctx.services.catalogue.registerFaceModel(args.input),
    attachTransferMethodModel: (_: unknown, args: { id: string; input: AttachMethodModelInput }, ctx: Ctx) =>
      ctx.services.catalogue.attachTransferMethodModel(args.id, args.input),
    setDatasetFolder: (_: unknown, args: { id: string; input: SetDatasetFolderInput }, ctx: Ctx) =>
      ctx.services.catalogue.setDatasetFolder(args.id, args.input),
    setDatasetDescription: (_: unknown, args: { id: string; description?: string | null }, ctx: Ctx) =>
      ctx.services.catalogue.setDatasetDescription(args.id, args.description),
    setTransferMethodDescription: (_: unknown, args: { id: string; description?: string | null }, ctx: Ctx) =>
      ctx.services.catalogue.setTransferMethodDescription(args.id, args.description),
    archiveDataset: (_: unknown, args: { id: string }, ctx: Ctx) => ctx.services.catalogue.setDatasetArchived(args.id, true),
    restoreDataset: (_: unknown, args: { id: string }, ctx: Ctx) => ctx.services.catalogue.setDatasetArchived(args.id, false),
    archiveTransferMethod: (_: unknown, args: { id: string }, ctx: Ctx) =>
      ctx.services.catalogue.setTransferMethodArchived(args.id, true),
    restoreTransferMethod: (_: unknown, args: { id: string }, ctx: Ctx) =>
      ctx.services.catalogue.setTransferMethodArchived(args.id, false),
  },
  Dataset: {
    sourceDataset: (d: Dataset, _: unknown, ctx: Ctx) => (d.sourceDatasetId ? ctx.loaders.dataset.load(d.sourceDatasetId) : null),
    producedByRun: (d: Dataset, _: unknown, ctx: Ctx) => (d.producedByRunId ? ctx.loaders.run.load(d.producedByRunId) : null),
    transferMethod: (d: Dataset, _: unknown, ctx: Ctx) =>
      d.transferMethodId ? ctx.loaders.transferMethod.load(d.transferMethodId) : null,
    derivedDatasets: (d: Dataset, _: unknown, ctx: Ctx) => ctx.loaders.derivedDatasets.load(d.id),
    lineage: (d: Dataset, _: unknown, ctx: Ctx) => lineageOf(d, ctx),
    archived: (d: Dataset) => d.archivedAt != null,
  },
  TransferMethod: {
    archived: (m: TransferMethod) => m.archivedAt != null,
    trainedOn: (m: TransferMethod, _: unknown, ctx: Ctx) => (m.trainedOnId ? ctx.loaders.dataset.load(m.trainedOnId) : null),
  },
  FaceModel: {
    trainedOn: (m: FaceModel, _: unknown, ctx: Ctx) => (m.trainedOnId ? ctx.loaders.dataset.load(m.trainedOnId) : null),
    producedByRun: (m: FaceModel, _: unknown, ctx: Ctx) => (m.producedByRunId ? ctx.loaders.run.load(m.producedByRunId) : null),
  },
};

export { lineageOf };
