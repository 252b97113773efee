// Whether the database answers at all (for /healthz).
import type { Db } from "../prisma";

export function createHealthStore(db: Db) {
  return {
    async ping(): Promise<void> {
      await db.$queryRaw`SELECT 1`;
    },
  };
}
