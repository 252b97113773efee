import { readFileSync } from "node:fs";
import { migrate } from "../src/db/migrate";
for (const db of ["lb10k", "lb100k"]) await migrate(readFileSync(`/tmp/lb/${db}.url`, "utf8"));
