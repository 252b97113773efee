// Dataset quality values (quality:* metrics of successful DATASET_QUALITY runs),
// averaged in SQL per evaluated dataset.
import { Prisma } from "../../generated/prisma/client";
import type { Db } from "../prisma";

export interface DatasetQualityValue {
  datasetId: string;
  name: string;
  mean: number;
  runs: number;
}

export function createQualityStore(prisma: Db) {
  return {
    /** Mean of each quality metric per dataset, optionally from one face model / reference set only. */
    async meansByDataset(filter: { names: string[]; faceModelId?: string | null; referenceDatasetId?: string | null }): Promise<DatasetQualityValue[]> {
      const conditions: Prisma.Sql[] = [
        Prisma.sql`r.kind = 'DATASET_QUALITY'`,
        Prisma.sql`r.status = 'SUCCEEDED'`,
        Prisma.sql`r.dataset_id IS NOT NULL`,
        Prisma.sql`m.benchmark_id IS NULL`,
        Prisma.sql`m.name = ANY(${filter.names}::text[])`,
      ];
      if (filter.faceModelId) conditions.push(Prisma.sql`r.params->>'faceModelId' = ${filter.faceModelId}`);
      if (filter.referenceDatasetId) conditions.push(Prisma.sql`r.params->>'referenceDatasetId' = ${filter.referenceDatasetId}`);
      const rows = await prisma.$queryRaw<{ dataset_id: string; name: string; mean: number; runs: number }[]>`
        SELECT r.dataset_id::text AS dataset_id, m.name, avg(m.value)::float8 AS mean, count(DISTINCT r.id)::int AS runs
        FROM metric m JOIN run r ON r.id = m.run_id
        WHERE ${Prisma.join(conditions, " AND ")}
        GROUP BY r.dataset_id, m.name
        ORDER BY r.dataset_id, m.name`;
      return rows.map((r) => ({ datasetId: r.dataset_id, name: r.name, mean: r.mean, runs: r.runs }));
    },
  };
}

export type QualityStore = ReturnType<typeof createQualityStore>;
