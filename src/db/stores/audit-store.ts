// Data access for run audit events: who changed a run's results, when, and what.
import type { Db } from "../prisma";
import type { Prisma } from "../../generated/prisma/client";

export interface AuditEventInput {
  runId: string;
  actor: string;
  tokenId: string | null;
  action: string;
  changes: Prisma.InputJsonObject;
}

export function createAuditStore(prisma: Db) {
  return {
    record: (event: AuditEventInput) => prisma.runAuditEvent.create({ data: event }),

    /** The newest `count` events of a run, newest first. */
    forRun: (runId: string, count: number) =>
      prisma.runAuditEvent.findMany({ where: { runId }, orderBy: { id: "desc" }, take: count }),
  };
}

export type AuditStore = ReturnType<typeof createAuditStore>;
