// The executable schema: every .graphql file in src/schema plus the resolvers.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { resolvers } from "../resolvers";
import { withAuthorization } from "./authorization";

const SCHEMA_DIR = fileURLToPath(new URL("../schema", import.meta.url));

export function loadTypeDefs(): string[] {
  return readdirSync(SCHEMA_DIR)
    .filter((file) => file.endsWith(".graphql"))
    .sort()
    .map((file) => readFileSync(path.join(SCHEMA_DIR, file), "utf8"));
}

export function buildSchema() {
  return makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers: withAuthorization(resolvers) });
}
