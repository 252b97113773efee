// Prisma 7 set up explicitly: the generated client over our own pg.Pool through
// @prisma/adapter-pg, both closed by the owner (see src/app.ts).
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../generated/prisma/client";

export type Db = PrismaClient;

export interface Database {
  prisma: PrismaClient;
  pool: pg.Pool;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  max?: number;
  /** Called with each SQL statement Prisma sends (diagnostics; the N+1 test counts them). */
  onQuery?: (sql: string) => void;
}

export function openDatabase(databaseUrl: string, options: DatabaseOptions = {}): Database {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: options.max ?? 10 });
  // A dropped connection must not crash the process; the pool replaces it.
  pool.on("error", (error) => console.warn(`database pool: ${error.message}`));
  const prisma = options.onQuery
    ? withQueryListener(new PrismaClient({ adapter: new PrismaPg(pool), log: [{ emit: "event", level: "query" }] }), options.onQuery)
    : new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    pool,
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

function withQueryListener(prisma: PrismaClient<"query">, onQuery: (sql: string) => void): PrismaClient {
  prisma.$on("query", (event) => onQuery(event.query));
  return prisma as unknown as PrismaClient;
}
