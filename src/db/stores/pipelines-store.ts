// Data access for pipelines.
import type { Db } from "../prisma";
import type { Prisma } from "../../generated/prisma/client";
import type { PipelineStatus } from "../../generated/prisma/enums";
import { isUuid } from "./uuid";

export function createPipelinesStore(prisma: Db) {
  return {
    create: (data: Prisma.PipelineUncheckedCreateInput) => prisma.pipeline.create({ data }),
    byId: async (id: string) => (isUuid(id) ? prisma.pipeline.findUnique({ where: { id } }) : null),
    list: (first: number) => prisma.pipeline.findMany({ orderBy: { createdAt: "desc" }, take: first }),
    runsOf: (pipelineId: string) => prisma.run.findMany({ where: { pipelineId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),
    /** Finishes a RUNNING pipeline; false when it had already finished. */
    async finish(id: string, status: PipelineStatus, error: string | null): Promise<boolean> {
      const { count } = await prisma.pipeline.updateMany({ where: { id, status: "RUNNING" }, data: { status, error, finishedAt: new Date() } });
      return count === 1;
    },
    /** Back to RUNNING (resume) from FAILED or CANCELLED; false when it was in neither. */
    async reopen(id: string): Promise<boolean> {
      const { count } = await prisma.pipeline.updateMany({
        where: { id, status: { in: ["FAILED", "CANCELLED"] } },
        data: { status: "RUNNING", error: null, finishedAt: null },
      });
      return count === 1;
    },
  };
}

export type PipelinesStore = ReturnType<typeof createPipelinesStore>;
