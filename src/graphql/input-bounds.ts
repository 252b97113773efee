// Bounds every argument value of an operation before it runs, over HTTP and WebSocket:
// no NUL character in any string (Postgres text and jsonb refuse them, which surfaced as
// INTERNAL_SERVER_ERROR) and no value nested deeper than MAX_INPUT_DEPTH (JSON params
// nested 100k deep overflowed the stack while being stored). Walks iteratively, so a
// hostile value cannot overflow the stack here either.
import { GraphQLError, Kind, visit, type DocumentNode, type ValueNode } from "graphql";

export const MAX_INPUT_DEPTH = 32;

function refuse(field: string, message: string): GraphQLError {
  return new GraphQLError(`${field}: ${message}`, { extensions: { code: "BAD_USER_INPUT", field, http: { status: 400 } } });
}

/** Checks one value (a variable's value, parsed JSON); `field` names where it came from. */
function checkValue(root: unknown, rootField: string): void {
  const stack: Array<{ value: unknown; field: string; depth: number }> = [{ value: root, field: rootField, depth: 0 }];
  while (stack.length) {
    const { value, field, depth } = stack.pop()!;
    if (typeof value === "string") {
      if (value.includes("\u0000")) throw refuse(field, "must not contain NUL characters (\\u0000)");
      continue;
    }
    if (!value || typeof value !== "object") continue;
    if (depth >= MAX_INPUT_DEPTH) throw refuse(field, `is nested more than ${MAX_INPUT_DEPTH} levels deep`);
    if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push({ value: item, field: `${field}[${i}]`, depth: depth + 1 }));
    } else {
      for (const [key, item] of Object.entries(value)) {
        if (key.includes("\u0000")) throw refuse(field, "must not contain NUL characters (\\u0000) in keys");
        stack.push({ value: item, field: `${field}.${key}`, depth: depth + 1 });
      }
    }
  }
}

/** Checks literal argument values written in the query text (the parser already bounds their nesting by its own stack). */
function checkLiteral(root: ValueNode, rootField: string): void {
  const stack: Array<{ node: ValueNode; field: string; depth: number }> = [{ node: root, field: rootField, depth: 0 }];
  while (stack.length) {
    const { node, field, depth } = stack.pop()!;
    if (node.kind === Kind.STRING && node.value.includes("\u0000")) throw refuse(field, "must not contain NUL characters (\\u0000)");
    if (node.kind !== Kind.LIST && node.kind !== Kind.OBJECT) continue;
    if (depth >= MAX_INPUT_DEPTH) throw refuse(field, `is nested more than ${MAX_INPUT_DEPTH} levels deep`);
    if (node.kind === Kind.LIST) node.values.forEach((v, i) => stack.push({ node: v, field: `${field}[${i}]`, depth: depth + 1 }));
    else for (const f of node.fields) stack.push({ node: f.value, field: `${field}.${f.name.value}`, depth: depth + 1 });
  }
}

/** Throws BAD_USER_INPUT (HTTP 400, `extensions.field`) for the first argument value out of bounds. */
export function assertInputBounds(document: DocumentNode, variables: Record<string, unknown> | null | undefined): void {
  for (const [name, value] of Object.entries(variables ?? {})) checkValue(value, name);
  visit(document, {
    Argument(node) {
      checkLiteral(node.value, node.name.value);
      return false; // its values were just walked
    },
  });
}
