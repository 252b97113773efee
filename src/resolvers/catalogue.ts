// Datasets, transfer methods, face models and benchmarks: parse -> service -> shape.
import type { Dataset } from "../generated/prisma/client";
import type { GraphQLContext } from "../graphql/context";
import type { DatasetResolvers, FaceModelResolvers, MutationResolvers, QueryResolvers, TransferMethodResolvers } from "../generated/graphql/resolvers";

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
    datasets: (_, args, ctx) =>
      ctx.services.catalogue.listDatasets(args.kind ?? undefined, args.includeArchived ?? false),
    dataset: (_, args, ctx) =>
      ctx.services.catalogue.datasetByIdOrName(args.id, args.name),
    transferMethods: (_, args, ctx) =>
      ctx.services.catalogue.listMethods(args.includeArchived ?? false),
    transferMethod: (_, args, ctx) =>
      ctx.services.catalogue.methodByIdOrName(args.id, args.name),
    faceModels: (_, __, ctx) => ctx.services.catalogue.listFaceModels(),
    faceModel: (_, args, ctx) => ctx.loaders.faceModel.load(args.id),
    benchmarks: (_, __, ctx) => ctx.services.catalogue.listBenchmarks(),
  } satisfies QueryResolvers,
  Mutation: {
    createDataset: (_, args, ctx) =>
      ctx.services.catalogue.createDataset(args.input),
    registerTransferMethod: (_, args, ctx) =>
      ctx.services.catalogue.registerTransferMethod(args.input),
    registerFaceModel: (_, args, ctx) =>
      ctx.services.catalogue.registerFaceModel(args.input),
    attachTransferMethodModel: (_, args, ctx) =>
      ctx.services.catalogue.attachTransferMethodModel(args.id, args.input),
    setDatasetFolder: (_, args, ctx) =>
      ctx.services.catalogue.setDatasetFolder(args.id, args.input),
    setDatasetDescription: (_, args, ctx) =>
      ctx.services.catalogue.setDatasetDescription(args.id, args.description),
    setTransferMethodDescription: (_, args, ctx) =>
      ctx.services.catalogue.setTransferMethodDescription(args.id, args.description),
    archiveDataset: (_, args, ctx) => ctx.services.catalogue.setDatasetArchived(args.id, true),
    restoreDataset: (_, args, ctx) => ctx.services.catalogue.setDatasetArchived(args.id, false),
    archiveTransferMethod: (_, args, ctx) =>
      ctx.services.catalogue.setTransferMethodArchived(args.id, true),
    restoreTransferMethod: (_, args, ctx) =>
      ctx.services.catalogue.setTransferMethodArchived(args.id, false),
  } satisfies MutationResolvers,
  Dataset: {
    sourceDataset: (d, _, ctx) => (d.sourceDatasetId ? ctx.loaders.dataset.load(d.sourceDatasetId) : null),
    producedByRun: (d, _, ctx) => (d.producedByRunId ? ctx.loaders.run.load(d.producedByRunId) : null),
    transferMethod: (d, _, ctx) =>
      d.transferMethodId ? ctx.loaders.transferMethod.load(d.transferMethodId) : null,
    derivedDatasets: (d, _, ctx) => ctx.loaders.derivedDatasets.load(d.id),
    lineage: (d, _, ctx) => lineageOf(d, ctx),
    archived: (d) => d.archivedAt != null,
  } satisfies DatasetResolvers,
  TransferMethod: {
    archived: (m) => m.archivedAt != null,
    trainedOn: (m, _, ctx) => (m.trainedOnId ? ctx.loaders.dataset.load(m.trainedOnId) : null),
  } satisfies TransferMethodResolvers,
  FaceModel: {
    trainedOn: (m, _, ctx) => (m.trainedOnId ? ctx.loaders.dataset.load(m.trainedOnId) : null),
    producedByRun: (m, _, ctx) => (m.producedByRunId ? ctx.loaders.run.load(m.producedByRunId) : null),
  } satisfies FaceModelResolvers,
};

export { lineageOf };
