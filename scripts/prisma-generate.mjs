// Runs `prisma generate` after install. Prisma's CLI insists on a schema-engine
// binary even though generate never uses it, and that binary cannot be downloaded
// here, so point PRISMA_SCHEMA_ENGINE_BINARY at any existing file (DESIGN.md).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1" };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(import.meta.url);
const result = spawnSync("npx", ["prisma", "generate"], { stdio: "inherit", env });
process.exit(result.status ?? 1);
