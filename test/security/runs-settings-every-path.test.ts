// Each security setting holds over HTTP and over the WebSocket alike: AUTH_REQUIRED
// (mutations need a token), READS_PUBLIC=false (queries and subscriptions need READ)
// and INTROSPECTION=false (no __schema / __type), for operations of every type.
import type { Client } from "graphql-ws";
import { afterAll, beforeAll, expect, it } from "vitest";
import { gql } from "../helpers/graphql-client";
import { wsClient } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";

let server: TestServer;
let reader: string;
let admin: string;
beforeAll(async () => {
  server = await startTestServer({ AUTH_REQUIRED: "true", READS_PUBLIC: "false", INTROSPECTION: "false" });
  reader = (await server.app.services.auth.createToken({ name: "reader", scopes: ["READ"] })).secret;
  admin = (await server.app.services.auth.createToken({ name: "admin", scopes: ["ADMIN"] })).secret;
});
afterAll(() => server?.close());

interface Outcome {
  data?: any;
  codes: string[];
  messages: string[];
}

/** One operation over the socket (queries and mutations too: graphql-ws carries every type). */
function overSocket(client: Client, query: string): Promise<Outcome> {
  return new Promise((resolve) => {
    let data: any;
    const codes: string[] = [];
    const messages: string[] = [];
    const stop = client.subscribe(
      { query },
      {
        next: (result) => {
          data = result.data ?? data;
          for (const e of result.errors ?? []) {
            codes.push(String((e as any).extensions?.code ?? ""));
            messages.push(e.message);
          }
          if (data || codes.length) {
            stop();
            resolve({ data, codes, messages });
          }
        },
        error: (error) => {
          const list = Array.isArray(error) ? error : [error];
          for (const e of list) {
            codes.push(String(e?.extensions?.code ?? e?.code ?? ""));
            messages.push(String(e?.message ?? e?.reason ?? e));
          }
          resolve({ data, codes, messages });
        },
        complete: () => resolve({ data, codes, messages }),
      },
    );
  });
}

async function overHttp(query: string, token?: string): Promise<Outcome> {
  const result = await gql(server.url, query, {}, token);
  return { data: result.data, codes: (result.errors ?? []).map((e) => String(e.extensions?.code ?? "")), messages: (result.errors ?? []).map((e) => e.message) };
}

const READ_QUERY = `{ runs { totalCount } }`;
const MUTATION = `mutation { createRun(input: { kind: TRAIN, name: "over the socket" }) { id } }`;
const SUBSCRIPTION = `subscription { runUpdated { id } }`;

it("READS_PUBLIC=false and AUTH_REQUIRED refuse anonymous operations on both transports", async () => {
  const anonymous = wsClient(server.wsUrl);
  try {
    for (const [name, outcome] of [
      ["HTTP query", await overHttp(READ_QUERY)],
      ["socket query", await overSocket(anonymous, READ_QUERY)],
      ["socket subscription", await overSocket(anonymous, SUBSCRIPTION)],
      ["HTTP mutation", await overHttp(MUTATION)],
      ["socket mutation", await overSocket(anonymous, MUTATION)],
    ] as const) {
      // Over the socket, errors carry the message but not (yet) extensions.code: graphql-ws does not run Apollo's formatError.
      expect(outcome.messages.join("; "), name).toMatch(/needs an API token with the (READ|WRITE) scope/);
      expect(outcome.data?.runs ?? outcome.data?.createRun ?? null, name).toBeNull();
    }
  } finally {
    await anonymous.dispose();
  }
  // A READ token reads over the socket, and still cannot write there.
  const withReader = wsClient(server.wsUrl, { token: reader });
  try {
    expect((await overSocket(withReader, READ_QUERY)).data.runs.totalCount).toBeGreaterThanOrEqual(0);
    expect((await overSocket(withReader, MUTATION)).messages.join("; ")).toMatch(/needs the WRITE scope; token "reader" has READ/);
  } finally {
    await withReader.dispose();
  }
  expect((await overHttp(READ_QUERY, reader)).data.runs.totalCount).toBeGreaterThanOrEqual(0);
});

it("INTROSPECTION=false holds over HTTP and over the socket, even for ADMIN", async () => {
  const client = wsClient(server.wsUrl, { token: admin });
  try {
    for (const query of [`{ __schema { queryType { name } } }`, `{ __type(name: "Run") { fields { name } } }`]) {
      const http = await overHttp(query, admin);
      const socket = await overSocket(client, query);
      for (const outcome of [http, socket]) {
        expect(outcome.data?.__schema ?? outcome.data?.__type ?? null).toBeNull();
        expect(outcome.messages.join(" ")).toMatch(/introspection/i);
      }
    }
    // Ordinary queries still work on the same socket.
    expect((await overSocket(client, `{ runs { totalCount } }`)).data.runs.totalCount).toBeGreaterThanOrEqual(0);
  } finally {
    await client.dispose();
  }
});
