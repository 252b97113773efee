// Data access for the catalogue: datasets, transfer methods, face models, benchmarks.
import type { Db } from "../prisma";
import type { Prisma } from "../../generated/prisma/client";
import type { DatasetKind } from "../../generated/prisma/enums";
import { uuidsOf } from "./uuid";

export function createCatalogueStore(prisma: Db) {
  return {
    datasetsByIds: (ids: readonly string[]) => prisma.dataset.findMany({ where: { id: { in: uuidsOf(ids) } } }),
    datasetsBySourceIds: (ids: readonly string[]) =>
      prisma.dataset.findMany({ where: { sourceDatasetId: { in: [...ids] } }, orderBy: { name: "asc" } }),
    datasetsByProducingRunIds: (ids: readonly string[]) =>
      prisma.dataset.findMany({ where: { producedByRunId: { in: [...ids] } } }),
    datasetByName: (name: string) => prisma.dataset.findUnique({ where: { name } }),
    /** Archived datasets are left out unless asked for. */
    listDatasets: (kind?: DatasetKind, includeArchived = false) =>
      prisma.dataset.findMany({
        where: { ...(kind ? { kind } : {}), ...(includeArchived ? {} : { archivedAt: null }) },
        orderBy: { name: "asc" },
      }),
    createDataset: (data: Prisma.DatasetUncheckedCreateInput) => prisma.dataset.create({ data }),
    /** Null when no dataset has this id. */
    updateDataset: async (id: string, data: Prisma.DatasetUncheckedUpdateInput) => {
      const { count } = await prisma.dataset.updateMany({ where: { id }, data });
      return count === 1 ? prisma.dataset.findUnique({ where: { id } }) : null;
    },
    upsertDatasetByName: (data: Prisma.DatasetUncheckedCreateInput) =>
      prisma.dataset.upsert({ where: { name: data.name }, create: data, update: {} }),

    methodsByIds: (ids: readonly string[]) => prisma.transferMethod.findMany({ where: { id: { in: uuidsOf(ids) } } }),
    methodByName: (name: string) => prisma.transferMethod.findUnique({ where: { name } }),
    /** Archived methods are left out unless asked for. */
    listMethods: (includeArchived = false) =>
      prisma.transferMethod.findMany({ where: includeArchived ? {} : { archivedAt: null }, orderBy: { name: "asc" } }),
    createMethod: (data: Prisma.TransferMethodUncheckedCreateInput) => prisma.transferMethod.create({ data }),
    /** Null when no method has this id. */
    updateMethod: async (id: string, data: Prisma.TransferMethodUncheckedUpdateInput) => {
      const { count } = await prisma.transferMethod.updateMany({ where: { id }, data });
      return count === 1 ? prisma.transferMethod.findUnique({ where: { id } }) : null;
    },
    upsertMethodByName: (data: Prisma.TransferMethodUncheckedCreateInput) =>
      prisma.transferMethod.upsert({ where: { name: data.name }, create: data, update: {} }),

    faceModelsByIds: (ids: readonly string[]) => prisma.faceModel.findMany({ where: { id: { in: uuidsOf(ids) } } }),
    faceModelsByProducingRunIds: (ids: readonly string[]) =>
      prisma.faceModel.findMany({ where: { producedByRunId: { in: [...ids] } } }),
    listFaceModels: () => prisma.faceModel.findMany({ orderBy: { createdAt: "desc" } }),
    createFaceModel: (data: Prisma.FaceModelUncheckedCreateInput) => prisma.faceModel.create({ data }),

    benchmarksByIds: (ids: readonly string[]) => prisma.benchmark.findMany({ where: { id: { in: uuidsOf(ids) } } }),
    benchmarksByNames: (names: readonly string[]) =>
      prisma.benchmark.findMany({ where: { name: { in: [...names] } } }),
    listBenchmarks: () => prisma.benchmark.findMany({ orderBy: { createdAt: "asc" } }),
    upsertBenchmarkByName: (data: Prisma.BenchmarkUncheckedCreateInput) =>
      prisma.benchmark.upsert({ where: { name: data.name }, create: data, update: {} }),
  };
}

export type CatalogueStore = ReturnType<typeof createCatalogueStore>;
