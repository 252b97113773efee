// The executable schema: every .graphql file in src/schema, the RunKind enum generated from
// the kind registry (so a new kind appears in the API without editing SDL), and the resolvers.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { createKindRegistry, type KindRegistry } from "../kinds/registry";
import { resolvers } from "../resolvers";
import { withAuthorization } from "./authorization";

const SCHEMA_DIR = fileURLToPath(new URL("../schema", import.meta.url));

/** `enum RunKind` with one value per registered kind, its description the kind's. */
export function runKindTypeDefs(kinds: KindRegistry): string {
  const values = kinds.list().map((k) => `  ${JSON.stringify(`${k.label}: ${k.description}`)}\n  ${k.name}`);
  return `"What a run does; one value per kind of the registry (src/kinds/registry.ts)."\nenum RunKind {\n${values.join("\n")}\n}\n`;
}

export function loadTypeDefs(kinds: KindRegistry = createKindRegistry()): string[] {
  const files = readdirSync(SCHEMA_DIR)
    .filter((file) => file.endsWith(".graphql"))
    .sort()
    .map((file) => readFileSync(path.join(SCHEMA_DIR, file), "utf8"));
  return [runKindTypeDefs(kinds), ...files];
}

export function buildSchema(kinds: KindRegistry = createKindRegistry()) {
  return makeExecutableSchema({ typeDefs: loadTypeDefs(kinds), resolvers: withAuthorization(resolvers, kinds) });
}
