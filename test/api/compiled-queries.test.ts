// Repeated queries run by graphql-jit (src/graphql/compiled-queries.ts) answer exactly as
// graphql-js does: the same data, the same errors and HTTP status, partial answers
// included. On a real Apollo server with a small schema (when it compiles, and that
// mutations never are), and on the app's own server against one with compiling off.
import { ApolloServer } from "@apollo/server";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { GraphQLError } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compiledQueriesPlugin } from "../../src/graphql/compiled-queries";

import { startTestServer, type TestServer } from "../helpers/test-server";

const schema = makeExecutableSchema({
  typeDefs: `
    type Item { id: ID! value(scale: Float = 1): Float! label: String }
    type Query { items(count: Int!): [Item!]! failing: Item broken: [Item!]! }
    type Mutation { bump: Int! }`,
  resolvers: {
    Query: {
      items: (_: unknown, { count }: { count: number }) => Array.from({ length: count }, (_, i) => ({ id: String(i), value: i / 10 })),
      failing: () => {
        throw new GraphQLError("no such item", { extensions: { code: "NOT_FOUND" } });
      },
      broken: () => [{ id: "1", value: null }],
    },
    Item: { value: (item: { value: number }, { scale }: { scale: number }) => (item.value === null ? null : item.value * scale) },
    Mutation: { bump: (() => { let n = 0; return () => ++n; })() },
  },
});

async function apollo(compileAfter: number | null, compiled: string[]) {
  const server = new ApolloServer({
    schema,
    plugins: [compiledQueriesPlugin({ compileAfter, onCompile: (name) => compiled.push(name ?? "(anonymous)") })],
  });
  await server.start();
  const run = async (query: string, variables: Record<string, unknown> = {}) => {
    const response = await server.executeOperation({ query, variables });
    return { status: response.http.status, body: response.body.kind === "single" ? response.body.singleResult : null };
  };
  return { server, run };
}

describe("compiled queries on an Apollo server", () => {
  it("compile on the (compileAfter + 1)th run and answer as graphql-js does, errors included", async () => {
    const compiled: string[] = [];
    const jit = await apollo(1, compiled);
    const plain = await apollo(null, []);
    const queries: Array<[string, Record<string, unknown>]> = [
      [`query Items($n: Int!) { items(count: $n) { id value scaled: value(scale: 3) label } }`, { n: 50 }],
      [`query Failing { failing { id } items(count: 1) { id } }`, {}],
      [`query Broken { broken { id value } }`, {}],
      [`query Bad($n: Int!) { items(count: $n) { id } }`, { n: "many" }],
    ];
    for (const [query, variables] of queries) {
      const expected = await plain.run(query, variables);
      for (let i = 0; i < 3; i++) expect(await jit.run(query, variables)).toEqual(expected);
    }
    // Compiled once each on its second run (the bad-variables one too: its errors go to graphql-js).
    expect(compiled).toEqual(["Items", "Failing", "Broken", "Bad"]);
    // Mutations are never compiled.
    for (let i = 0; i < 3; i++) await jit.run(`mutation Bump { bump }`);
    expect(compiled).not.toContain("Bump");
    // Off: never compiles.
    const never: string[] = [];
    const off = await apollo(null, never);
    for (let i = 0; i < 3; i++) await off.run(queries[0]![0], queries[0]![1]);
    expect(never).toEqual([]);
    await Promise.all([jit.server.stop(), plain.server.stop(), off.server.stop()]);
  });
});

describe("compiled queries on the app's server", () => {
  let compiling: TestServer;
  let plain: TestServer;
  beforeAll(async () => {
    [compiling, plain] = await Promise.all([startTestServer({ GRAPHQL_COMPILE_AFTER: "0" }), startTestServer({ GRAPHQL_COMPILE_AFTER: "off" })]);
  });
  afterAll(async () => {
    await Promise.all([compiling?.close(), plain?.close()]);
  });

  it("answer the leaderboard, catalogue and bad input exactly as graphql-js", async () => {
    const queries: Array<[string, Record<string, unknown>]> = [
      [`{ leaderboard(preset: PAPER_TABLE_2, first: 5) { totalRows pageInfo { hasNextPage } rows { label published dataset { name } cells { n mean std best text } average { mean best } } } }`, {}],
      [`query($b: [String!]) { leaderboard(benchmarks: $b) { columns { label benchmark { name protocol } } rows { label runCount } } }`, { b: ["LFW", "IJB-C"] }],
      [`{ datasets { name kind requirement } transferMethods { name family } benchmarks { name protocol } }`, {}],
      [`{ leaderboard(benchmarks: ["nope"]) { totalRows } }`, {}],
      [`{ run(id: "00000000-0000-0000-0000-000000000000") { id } }`, {}],
    ];
    for (const [query, variables] of queries) {
      const expected = await fetchAnswer(plain.url, query, variables);
      for (let i = 0; i < 2; i++) expect(await fetchAnswer(compiling.url, query, variables)).toEqual(expected);
    }
  });
});

async function fetchAnswer(url: string, query: string, variables: Record<string, unknown>) {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
  return { status: response.status, body: await response.json() };
}
