// Kept answers (issue 16): a query that asks for leaderboards only, repeated while the
// leaderboard version has not moved, is answered with the JSON text of its last answer.
// A 3,000-row board is 3.5 MiB of JSON: printing its 100,000 floats takes ~14 ms and
// executing its 250,000 fields ~10 ms more, every time, for the same bytes.
//
// An answer is kept only when every leaderboard in it was answered from a kept board at
// exactly the version read before executing it (src/services/leaderboard, board-memo.ts),
// and the query selects nothing the version does not cover: the leaderboard types and
// benchmarks, and only the id and name of datasets and methods (their names move it). It is
// served only while the version is unchanged and only to a caller the field's authorization
// lets through; limits and validation have run before (this is responseForOperation). Answers
// with errors are never kept. The JSON texts are bounded (lru-cache, by size).
import type { ApolloServerPlugin } from "@apollo/server";
import { Kind, type DocumentNode, type FormattedExecutionResult, type GraphQLObjectType, type GraphQLOutputType, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from "graphql";
import { LRUCache } from "lru-cache";

/**
 * What may be selected in a kept answer: every field of these types (the board's, and
 * benchmarks: any write to one moves the version)...
 */
const BOARD_TYPES = new Set(["Leaderboard", "LeaderboardRow", "LeaderboardCell", "LeaderboardColumn", "LeaderboardPageInfo", "LeaderboardGrouping", "Benchmark"]);
/** ...and of these, the fields whose changes move the leaderboard version. */
const NAMED_TYPES: Record<string, Set<string>> = {
  Dataset: new Set(["id", "name"]),
  TransferMethod: new Set(["id", "name"]),
};
const ROOT_FIELDS = new Set(["leaderboard"]);

const MAX_BYTES = 64 * 1024 * 1024;
const MAX_ENTRY_BYTES = 16 * 1024 * 1024;

export interface KeptAnswersOptions<Context> {
  /** The leaderboard version now (one read; it moves with every write a board could show). */
  currentVersion(): Promise<string>;
  /** The versions of the kept boards this request's leaderboard fields were answered from (null: built for it). */
  versionsOf(context: Context): readonly (string | null)[];
  /** Whether the caller may read this Query field: on a hit no resolver (and no authorization) runs. */
  mayRead(context: Context, field: string): boolean;
}

interface KeptAnswer {
  version: string;
  json: string;
}

/**
 * The named type under lists and non-nulls, by structure: graphql's isObjectType and
 * getNamedType test instanceof, and under vitest the schema may come from another copy of
 * graphql than this module's import (see introspection.ts).
 */
function namedType(type: GraphQLOutputType): { name: string } {
  let named: GraphQLOutputType = type;
  while ("ofType" in named) named = named.ofType;
  return named;
}

/** The root fields of a query that may be kept, or null when it selects anything else. */
function keepableRoots(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): string[] | null {
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  const roots = new Set<string>();
  const allowed = (type: GraphQLObjectType, set: SelectionSetNode, depth: number, seen: Set<string>): boolean =>
    set.selections.every((node) => {
      if (node.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(node.name.value);
        if (!fragment || seen.has(node.name.value)) return false;
        return allowed(type, fragment.selectionSet, depth, new Set([...seen, node.name.value]));
      }
      if (node.kind === Kind.INLINE_FRAGMENT) {
        const on = node.typeCondition ? schema.getType(node.typeCondition.name.value) : type;
        return on === type && allowed(type, node.selectionSet, depth, seen);
      }
      const name = node.name.value;
      if (name === "__typename") return true;
      if (depth === 0) {
        if (!ROOT_FIELDS.has(name)) return false;
        roots.add(name);
      } else if (!BOARD_TYPES.has(type.name) && !NAMED_TYPES[type.name]?.has(name)) {
        return false;
      }
      const field = type.getFields()[name];
      if (!field) return false;
      // A leaf has no selection; an object must be one of the types above.
      if (!node.selectionSet) return true;
      const result = namedType(field.type);
      if (!BOARD_TYPES.has(result.name) && !NAMED_TYPES[result.name]) return false;
      return allowed(result as GraphQLObjectType, node.selectionSet, depth + 1, seen);
    });
  const query = schema.getQueryType();
  return query && allowed(query, operation.selectionSet, 0, new Set()) && roots.size > 0 ? [...roots] : null;
}

/** The plugin and the `stringifyResult` that together serve and keep answers. */
export function createKeptAnswers<Context extends object>(options: KeptAnswersOptions<Context>) {
  const answers = new LRUCache<string, KeptAnswer>({
    maxSize: MAX_BYTES,
    maxEntrySize: MAX_ENTRY_BYTES,
    sizeCalculation: (answer, key) => answer.json.length + key.length,
  });
  /** A hit's stand-in data object -> the kept JSON text printed for it. */
  const keptJsonOf = new WeakMap<object, string>();
  /** A kept-to-be answer's data -> where to keep its JSON text once printed. */
  const toKeep = new WeakMap<object, { key: string; version: string }>();
  /** Per operation node (Apollo reuses a parsed document): its keepable root fields. */
  const roots = new WeakMap<OperationDefinitionNode, string[] | null>();

  function rootsOf(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): string[] | null {
    if (!roots.has(operation)) roots.set(operation, keepableRoots(schema, document, operation));
    return roots.get(operation)!;
  }

  const plugin: ApolloServerPlugin<Context> = {
    async requestDidStart() {
      let pending: { key: string; version: string } | null = null;
      return {
        async responseForOperation(request) {
          if (request.operation.operation !== "query" || request.source === undefined) return null;
          const fields = rootsOf(request.schema, request.document, request.operation);
          if (!fields || !fields.every((field) => options.mayRead(request.contextValue, field))) return null;
          let version: string;
          try {
            version = await options.currentVersion();
          } catch {
            return null; // executed as usual, which reports the failure
          }
          const key = JSON.stringify([request.operationName ?? null, request.source, request.request.variables ?? {}]);
          const kept = answers.get(key);
          if (kept?.version === version) {
            const data = {};
            keptJsonOf.set(data, kept.json);
            return { http: request.response.http, body: { kind: "single", singleResult: { data } } };
          }
          pending = { key, version };
          return null;
        },
        async willSendResponse({ response, contextValue }) {
          if (!pending || response.body.kind !== "single") return;
          const { data, errors } = response.body.singleResult;
          const versions = options.versionsOf(contextValue);
          const version = pending.version;
          if (!data || errors?.length || versions.length === 0 || !versions.every((v) => v === version)) return;
          toKeep.set(data, pending);
        },
      };
    },
  };

  /** Apollo's `stringifyResult`: a hit's kept text, else JSON.stringify (keeping it when marked). */
  function stringifyResult(value: FormattedExecutionResult): string {
    const data = value.data as object | null | undefined;
    if (data && !value.errors && !value.extensions) {
      const kept = keptJsonOf.get(data);
      if (kept !== undefined) return kept;
    }
    const json = `${JSON.stringify(value)}\n`; // as Apollo's default (prettyJSONStringify)
    const keep = data ? toKeep.get(data) : undefined;
    if (keep) answers.set(keep.key, { version: keep.version, json });
    return json;
  }

  return { plugin, stringifyResult };
}
