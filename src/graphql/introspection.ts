// INTROSPECTION=false over the WebSocket: whether an operation asks for the schema
// (__schema or __type anywhere, fragments included), and the error to answer with.
// An AST walk rather than graphql's NoSchemaIntrospectionCustomRule, and the error
// made by the graphql copy that graphql-ws loads: that copy is Node's resolution of
// "graphql" (its CommonJS build), which a bundler-style loader (vitest) may not share
// with our own imports, and graphql-ws accepts only its own GraphQLError instances.
import { createRequire } from "node:module";
import { visit, type DocumentNode, type GraphQLError } from "graphql";

const nodeGraphql = createRequire(import.meta.url)("graphql") as typeof import("graphql");

export function asksForIntrospection(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === "__schema" || node.name.value === "__type") found = true;
    },
  });
  return found;
}

export function introspectionRefused(): GraphQLError {
  return new nodeGraphql.GraphQLError("GraphQL introspection is not allowed on this server (INTROSPECTION=false)", {
    extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
  });
}
