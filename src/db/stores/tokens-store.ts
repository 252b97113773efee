// Data access for API tokens.
import type { Db } from "../prisma";
import type { Prisma } from "../../generated/prisma/client";

export function createTokensStore(prisma: Db) {
  return {
    create: (data: Prisma.ApiTokenUncheckedCreateInput) => prisma.apiToken.create({ data }),
    byHash: (tokenHash: string) => prisma.apiToken.findUnique({ where: { tokenHash } }),
    list: () => prisma.apiToken.findMany({ where: { runId: null }, orderBy: { createdAt: "asc" } }),
    count: () => prisma.apiToken.count({ where: { revokedAt: null, runId: null } }),
    async revoke(id: string): Promise<boolean> {
      const { count } = await prisma.apiToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
      return count === 1;
    },
    /** Revokes every live token limited to a run (its trainer's); returns how many. */
    async revokeForRun(runId: string): Promise<number> {
      const { count } = await prisma.apiToken.updateMany({ where: { runId, revokedAt: null }, data: { revokedAt: new Date() } });
      return count;
    },
    touch: (id: string) => prisma.apiToken.update({ where: { id }, data: { lastUsedAt: new Date() } }),
  };
}

export type TokensStore = ReturnType<typeof createTokensStore>;
