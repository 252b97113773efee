// Data access for trainers and run logs.
import type { Db } from "../prisma";
import type { Prisma } from "../../generated/prisma/client";
import { uuidsOf } from "./uuid";

export interface LogLine {
  /** "job": a line of a Slurm job's output file (src/executors/slurm/job-output.ts). */
  stream: "stdout" | "stderr" | "system" | "job";
  line: string;
}

export function createTrainersStore(prisma: Db) {
  return {
    create: (data: Prisma.TrainerUncheckedCreateInput) => prisma.trainer.create({ data }),
    byIds: (ids: readonly string[]) => prisma.trainer.findMany({ where: { id: { in: uuidsOf(ids) } } }),
    byName: (name: string) => prisma.trainer.findUnique({ where: { name } }),
    list: () => prisma.trainer.findMany({ orderBy: { name: "asc" } }),

    /** Appends lines and keeps only the newest `keep` lines of the run. */
    async appendLog(runId: string, lines: LogLine[], keep: number): Promise<void> {
      if (!lines.length) return;
      await prisma.runLog.createMany({ data: lines.map((l) => ({ runId, stream: l.stream, line: l.line })) });
      await prisma.$executeRaw`
        DELETE FROM run_log WHERE run_id = ${runId}::uuid AND id <= (
          SELECT id FROM run_log WHERE run_id = ${runId}::uuid ORDER BY id DESC OFFSET ${keep} LIMIT 1)`;
    },

    /** The last `count` lines of a run, oldest first. */
    async logTail(runId: string, count: number) {
      const rows = await prisma.runLog.findMany({ where: { runId }, orderBy: { id: "desc" }, take: count });
      return rows.reverse();
    },
  };
}

export type TrainersStore = ReturnType<typeof createTrainersStore>;
