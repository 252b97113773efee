// Bounds on what one operation may ask for: depth and aliases counted on the AST,
// cost with graphql-query-complexity. (graphql-armor and graphql-depth-limit load
// graphql's CommonJS build under Node's ESM loader: a second copy of graphql whose
// schema checks fail against ours. Depth and aliases take a few lines here.)
import {
  GraphQLError,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from "graphql";
import { getComplexity, simpleEstimator } from "graphql-query-complexity";

export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
  maxAliases: number;
  introspection: boolean;
}

function depthOf(selectionSet: SelectionSetNode | undefined, fragments: Record<string, FragmentDefinitionNode>, seen: Set<string>): number {
  if (!selectionSet) return 0;
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith("__")) continue; // introspection has its own shape
      deepest = Math.max(deepest, 1 + depthOf(selection.selectionSet, fragments, seen));
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, depthOf(selection.selectionSet, fragments, seen));
    } else {
      const name = selection.name.value;
      if (seen.has(name)) continue; // cycles are reported by NoFragmentCycles
      deepest = Math.max(deepest, depthOf(fragments[name]?.selectionSet, fragments, new Set([...seen, name])));
    }
  }
  return deepest;
}

function tooMuch(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT" } });
}

function countAliases(node: unknown): number {
  if (!node || typeof node !== "object") return 0;
  let count = (node as { kind?: string; alias?: unknown }).kind === Kind.FIELD && (node as { alias?: unknown }).alias ? 1 : 0;
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) for (const child of value) count += countAliases(child);
    else if (value && typeof value === "object" && "kind" in value) count += countAliases(value);
  }
  return count;
}

/**
 * Throws BAD_USER_INPUT when an operation is too deep, uses too many aliases or
 * costs too much. Works on the parsed document (plain AST), so it serves HTTP
 * (Apollo plugin) and WebSocket (graphql-ws onSubscribe) alike.
 */
export function assertWithinLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
  limits: QueryLimits,
): void {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const depth = depthOf(definition.selectionSet, fragments, new Set());
    if (depth > limits.maxDepth) throw tooMuch(`query depth ${depth} exceeds the limit of ${limits.maxDepth}`);
  }
  const aliases = countAliases(document);
  if (aliases > limits.maxAliases) throw tooMuch(`${aliases} aliases exceed the limit of ${limits.maxAliases}`);
  assertCost(schema, document, variables, operationName, limits.maxCost);
}

/** Throws BAD_USER_INPUT when the operation's estimated cost (one per field, lists x `first`) is over the limit. */
function assertCost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined, maxCost: number): void {
  let cost: number;
  try {
    cost = getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      ...(operationName ? { operationName } : {}),
      estimators: [simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch (error) {
    // Estimating coerces the variables first: a bad value is the caller's mistake.
    throw new GraphQLError((error as Error).message, { extensions: { code: "BAD_USER_INPUT" } });
  }
  if (cost > maxCost) {
    throw new GraphQLError(`query cost ${cost} exceeds the limit of ${maxCost}`, { extensions: { code: "BAD_USER_INPUT" } });
  }
}
