// Bounds on what one operation may ask for: depth, aliases and size counted on the AST,
// cost with graphql-query-complexity. Every check costs time linear in the query text:
// each fragment is summarised once (memoized), so a chain of fragments that each spread
// the previous one twice (2^n fields from n lines) is measured without expanding it, and
// is refused before the cost estimator (which does expand spreads) ever sees it.
// (graphql-armor and graphql-depth-limit load graphql's CommonJS build under Node's ESM
// loader: a second copy of graphql whose schema checks fail against ours.)
import {
  GraphQLError,
  Kind,
  getOperationAST,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from "graphql";
import { getComplexity, type ComplexityEstimator } from "graphql-query-complexity";

export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
  maxAliases: number;
  introspection: boolean;
}

/** What a selection set amounts to once every fragment spread in it is expanded. */
interface Extent {
  depth: number;
  /** Fields selected after expansion, saturating at CAP (it grows as 2^n in hostile queries). */
  fields: number;
}

const CAP = Number.MAX_SAFE_INTEGER / 4;
const add = (a: number, b: number) => Math.min(CAP, a + b);

/**
 * The extent of each operation, visiting every node of the document once: fragments are
 * summarised the first time they are spread and reused after that. Cycles (refused by
 * graphql's NoFragmentCyclesRule) count as empty here.
 */
function extentsOf(document: DocumentNode): Extent[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const summaries = new Map<string, Extent>();
  const inProgress = new Set<string>();
  const fragmentExtent = (name: string): Extent => {
    const known = summaries.get(name);
    if (known) return known;
    const fragment = fragments.get(name);
    if (!fragment || inProgress.has(name)) return { depth: 0, fields: 0 };
    inProgress.add(name);
    const extent = selectionExtent(fragment.selectionSet);
    inProgress.delete(name);
    summaries.set(name, extent);
    return extent;
  };
  const selectionExtent = (selectionSet: SelectionSetNode | undefined): Extent => {
    let depth = 0;
    let fields = 0;
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith("__")) continue; // introspection has its own shape
        const inner = selectionExtent(selection.selectionSet);
        depth = Math.max(depth, 1 + inner.depth);
        fields = add(fields, add(1, inner.fields));
      } else {
        const inner = selection.kind === Kind.INLINE_FRAGMENT ? selectionExtent(selection.selectionSet) : fragmentExtent(selection.name.value);
        depth = Math.max(depth, inner.depth);
        fields = add(fields, inner.fields);
      }
    }
    return { depth, fields };
  };
  return document.definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION ? [selectionExtent(d.selectionSet)] : []));
}

/** A limit error: BAD_USER_INPUT and HTTP 400 (Apollo would answer 500 for an error thrown in a plugin hook). */
function tooMuch(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT", http: { status: 400 } } });
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
 * Throws BAD_USER_INPUT (HTTP 400) when an operation is too deep, uses too many aliases,
 * selects too many fields or costs too much. Works on the parsed document (plain AST),
 * so it serves HTTP (Apollo plugin) and WebSocket (graphql-ws onSubscribe) alike.
 */
export function assertWithinLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
  limits: QueryLimits,
): void {
  for (const extent of extentsOf(document)) {
    if (extent.depth > limits.maxDepth) throw tooMuch(`query depth ${extent.depth} exceeds the limit of ${limits.maxDepth}`);
    // Every selected field costs at least 1, so this is a lower bound on the cost below.
    if (extent.fields > limits.maxCost) {
      const count = extent.fields >= CAP ? "too many" : String(extent.fields);
      throw tooMuch(`query selects ${count} fields once its fragments are expanded, over the cost limit of ${limits.maxCost}`);
    }
  }
  const aliases = countAliases(document);
  if (aliases > limits.maxAliases) throw tooMuch(`${aliases} aliases exceed the limit of ${limits.maxAliases}`);
  assertCost(schema, document, variables, operationName, limits.maxCost);
}

/**
 * A JSON value (run params, details, curve points) is bounded in size but can be far larger
 * than a plain field, so it costs this much: `runs(first: 500) { nodes { params } } }` is then
 * over the default limit, and what one answer can carry stays bounded.
 */
export const JSON_FIELD_COST = 40;
const DEFAULT_PAGE = 50;

/** One per field, JSON_FIELD_COST per JSON field; a field with a `first` argument multiplies what it selects by it. */
const answerSizeEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  // Unwrapped by hand: graphql-query-complexity loads graphql's CommonJS build, and graphql's
  // type predicates refuse types "from another module or realm".
  let type: unknown = field.type;
  while (type && typeof type === "object" && "ofType" in type) type = (type as { ofType: unknown }).ofType;
  const own = (type as { name?: string }).name === "JSON" ? JSON_FIELD_COST : 1;
  const hasFirst = field.args.some((a) => a.name === "first");
  const first = hasFirst ? (typeof args.first === "number" && args.first > 0 ? args.first : DEFAULT_PAGE) : 1;
  return own + first * childComplexity;
};

/**
 * The variables as the cost estimate needs them: each provided list-typed variable as [].
 * No list can change the estimate: it reads only `first` (Int) and @include/@skip read a
 * Boolean, and validation (which runs before this check) refuses a list variable in those
 * places. The estimator coerces every variable it is given, so a logMetrics call's 1,000
 * points were coerced twice (here, then by execution): ~2.3 ms of a ~29 ms call. Execution
 * still coerces, and refuses, the real values.
 */
function costVariables(document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown>): Record<string, unknown> {
  const operation = getOperationAST(document, operationName);
  if (!operation) return variables; // the estimator reports the missing operation itself
  const result = { ...variables };
  for (const definition of operation.variableDefinitions ?? []) {
    const type = definition.type.kind === Kind.NON_NULL_TYPE ? definition.type.type : definition.type;
    const name = definition.variable.name.value;
    if (type.kind === Kind.LIST_TYPE && Object.hasOwn(result, name) && result[name] != null) result[name] = [];
  }
  return result;
}

/** Throws BAD_USER_INPUT when the operation's estimated cost is over the limit. */
function assertCost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined, maxCost: number): void {
  let cost: number;
  try {
    cost = getComplexity({
      schema,
      query: document,
      variables: costVariables(document, operationName, variables ?? {}),
      ...(operationName ? { operationName } : {}),
      estimators: [answerSizeEstimator],
    });
  } catch (error) {
    // Estimating coerces the variables first: a bad value is the caller's mistake.
    throw tooMuch((error as Error).message);
  }
  if (cost > maxCost) throw tooMuch(`query cost ${cost} exceeds the limit of ${maxCost}`);
}
