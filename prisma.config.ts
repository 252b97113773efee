// Prisma 7 reads its CLI settings here. The server itself never needs this file:
// it connects through @prisma/adapter-pg over its own pg.Pool (src/db/prisma.ts).
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost/realismlab" },
});
