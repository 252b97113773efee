// Hostile operations against a running server (issue 15, items 1, 2, 6, 12, 13, 14), through
// real HTTP and graphql-ws clients: queries that cost exponential work to check, files that
// declare absurd lengths, sockets that hoard subscriptions, malformed requests and inputs
// Postgres cannot store, unbounded sizes, and a database that goes away under the server.
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { gql, gqlData, subscribe } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { LAUNCH_EVALUATION, writePairBenchmark } from "../evaluation/helpers";

/** n fragments, each spreading the previous twice: 2^n fields from a few hundred bytes. */
function fragmentChain(n: number, operation = "query"): string {
  let text = `fragment F0 on Run { id name }\n`;
  for (let i = 1; i <= n; i++) text += `fragment F${i} on Run { ...F${i - 1} ...F${i - 1} }\n`;
  return `${operation} { runs { nodes { ...F${n} } } }\n${text}`;
}

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const text = await response.text();
  return { status: response.status, type: response.headers.get("content-type") ?? "", text, json: () => JSON.parse(text) };
}

function expectNoInternals(text: string) {
  expect(text).not.toMatch(/<html|<pre|node_modules|\bat [A-Za-z.]+ \(|\/src\//i);
}

function client(url: string, token?: string): Client {
  return createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, ...(token ? { connectionParams: { authorization: `Bearer ${token}` } } : {}) });
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}

let server: TestServer;
let admin: string;
const bearer = () => ({ authorization: `Bearer ${admin}` });

beforeAll(async () => {
  server = await startTestServer({
    AUTH_REQUIRED: "true",
    READS_PUBLIC: "false",
    MAX_SUBSCRIPTIONS_PER_CONNECTION: "20",
    MAX_WS_CONNECTIONS_PER_CLIENT: "4",
  });
  admin = (await server.app.services.auth.createToken({ name: "hardening admin", scopes: ["ADMIN"] })).secret;
});
afterAll(() => server?.close());

describe("query limits cost linear time (item 1)", () => {
  it("refuses a doubling fragment chain at once over HTTP, anonymously with READS_PUBLIC=false, with a 400", async () => {
    for (const n of [20, 39, 1000]) {
      const response = await post(server.url, JSON.stringify({ query: fragmentChain(n) }));
      expect(response.status).toBe(400);
      const error = response.json().errors[0];
      expect(error.extensions.code).toBe("BAD_USER_INPUT");
      expect(error.message).toMatch(/fields once its fragments are expanded, over the cost limit of 20000/);
    }
    // The server still answers other clients.
    expect((await gql(server.url, `{ benchmarks { name } }`, {}, admin)).data?.benchmarks).toHaveLength(7);
  });

  it("refuses the same chain over WebSocket, as a query and as a subscription", async () => {
    const ws = client(server.wsUrl);
    for (const operation of ["query", "subscription"]) {
      const query = operation === "query" ? fragmentChain(39) : fragmentChain(39).replace("query { runs { nodes", "subscription { runUpdated { dataset { runs: id } } } query X { runs { nodes");
      const errors = await new Promise<any[]>((resolve) => {
        ws.subscribe({ query }, { next: () => undefined, error: (e) => resolve(e as any[]), complete: () => resolve([]) });
      });
      expect(errors[0]?.message).toMatch(/fields once its fragments are expanded|query depth|must be|operation/);
      if (operation === "query") expect(errors[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    }
    await ws.dispose();
  });

  it("answers depth, alias and cost limits with a 400, never a 500", async () => {
    const deep = `{ datasets { ${"sourceDataset { ".repeat(12)}name${" }".repeat(12)} } }`;
    const aliases = `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: benchmarks { name }`).join(" ")} }`;
    for (const [query, message] of [[deep, /query depth 14 exceeds the limit of 12/], [aliases, /31 aliases exceed the limit of 30/]] as const) {
      const response = await post(server.url, JSON.stringify({ query }), bearer());
      expect(response.status).toBe(400);
      expect(response.json().errors[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT" } });
      expect(response.json().errors[0].message).toMatch(message);
    }
  });
});

describe("hostile files do not crash the process (item 2)", () => {
  it("refuses a 13-byte .npy declaring a 2^31-byte header, and a pickle declaring 2^40 bytes, as BAD_USER_INPUT", async () => {
    const bench = await writePairBenchmark(server.dataRoot, "lfw-hostile", 60, 4);
    const npy = Buffer.alloc(13);
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]).copy(npy);
    npy.writeUInt32LE(0x80000001, 8);
    npy[12] = 0x7b;
    const npyPath = path.join(server.dataRoot, "huge-header.npy");
    await writeFile(npyPath, npy);
    const input = { benchmarks: [{ name: "LFW", dataPath: bench.path, features: { original: npyPath } }], options: { allowNonStandardSize: true } };
    const refused = await gql(server.url, LAUNCH_EVALUATION, { input }, admin);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "benchmarks[0].features.original" });
    expect(refused.errors?.[0]?.message).toMatch(/header length 2147483649 is over the limit/);

    // PROTO 4, BINBYTES8 with a length of 2^40, then nothing.
    const pickle = Buffer.concat([Buffer.from([0x80, 4, 0x8e]), Buffer.from(new BigUint64Array([2n ** 40n]).buffer)]);
    const binPath = path.join(server.dataRoot, "huge-bytes.bin");
    await writeFile(binPath, pickle);
    const bin = await gql(server.url, LAUNCH_EVALUATION, { input: { benchmarks: [{ name: "LFW", dataPath: binPath, features: { original: npyPath } }], options: { allowNonStandardSize: true } } }, admin);
    expect(bin.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "benchmarks[0].dataPath" });
    // Still alive.
    expect((await gqlData(server.url, `{ benchmarks { name } }`, {}, admin)).benchmarks).toHaveLength(7);
  });
});

describe("WebSocket caps and clean-up (item 6)", () => {
  it("caps operations per connection and connections per client, and frees every subscription when sockets close", async () => {
    const run = (await gqlData(server.url, `mutation { createRun(input: { kind: TRAIN }) { id } }`, {}, admin)).createRun;
    const baseline = server.app.events.subscriberCount();
    const sockets = [client(server.wsUrl, admin), client(server.wsUrl, admin), client(server.wsUrl, admin)];
    const subs = sockets.flatMap((ws) => Array.from({ length: 20 }, () => subscribe(ws, `subscription($id: ID!) { metricLogged(runId: $id) { count } }`, { id: run.id })));
    await waitUntil(() => server.app.events.subscriberCount() === baseline + 60);

    // The 21st operation on one socket is refused, naming the limit.
    const over = subscribe(sockets[0]!, `subscription($id: ID!) { metricLogged(runId: $id) { count } }`, { id: run.id });
    await waitUntil(() => over.failure !== null);
    expect(JSON.stringify(over.failure)).toMatch(/too many operations on this connection \(limit 20\)/);

    // A 5th socket from this address is refused with HTTP 429.
    const extra = client(server.wsUrl, admin);
    const refusedStatus = await new Promise<number>((resolve) => {
      const raw = new WebSocket(server.wsUrl, "graphql-transport-ws");
      raw.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      raw.on("open", () => { raw.close(); resolve(101); });
    });
    // `extra` is the 4th socket (allowed); the raw one is the 5th.
    expect(refusedStatus).toBe(429);
    await extra.dispose();

    // Completing one subscription frees it at once, though no event ever came for it.
    subs[0]!.unsubscribe();
    await waitUntil(() => server.app.events.subscriberCount() === baseline + 59);
    // Closing the sockets frees the rest.
    await Promise.all(sockets.map((ws) => ws.dispose()));
    await waitUntil(() => server.app.events.subscriberCount() === baseline);
  });
});

describe("bad input is a 4xx without internals (item 12)", () => {
  it("answers malformed JSON, oversized bodies and bad %-encoding with JSON 4xx", async () => {
    const malformed = await post(server.url, `{"query": "{ benchmarks { name } }"`);
    expect(malformed.status).toBe(400);
    expect(malformed.type).toMatch(/json/);
    expect(malformed.json().errors[0].message).toBe("the request body is not valid JSON");
    expectNoInternals(malformed.text);

    const big = await post(server.url, JSON.stringify({ query: "{ benchmarks { name } }", variables: { x: "y".repeat(6 * 1024 * 1024) } }));
    expect(big.status).toBe(413);
    expect(big.type).toMatch(/json/);
    expectNoInternals(big.text);

    const encoded = await fetch(`${server.url.replace(/\/graphql$/, "")}/files/datasets/%E0%A4%A/images`);
    expect(encoded.status).toBe(400);
    expect(encoded.headers.get("content-type")).toMatch(/json/);
    expectNoInternals(await encoded.text());
  });

  it("refuses NUL characters, deep nesting and an oversized progress phase as BAD_USER_INPUT naming the field", async () => {
    const create = `mutation($input: CreateRunInput!) { createRun(input: $input) { id } }`;
    const nul = await post(server.url, JSON.stringify({ query: create, variables: { input: { kind: "TRAIN", name: "a\u0000b" } } }), bearer());
    expect(nul.status).toBe(400);
    expect(nul.json().errors[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.name" });
    const literal = await post(server.url, JSON.stringify({ query: `mutation { createRun(input: { kind: TRAIN, name: "a\\u0000b" }) { id } }` }), bearer());
    expect(literal.json().errors[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.name" });

    const depth = 100_000;
    const deepBody = `{"query":${JSON.stringify(create)},"variables":{"input":{"kind":"TRAIN","params":{"a":${"[".repeat(depth)}${"]".repeat(depth)}}}}}`;
    const deep = await post(server.url, deepBody, bearer());
    expect(deep.status).toBe(400);
    expect(deep.json().errors[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(deep.json().errors[0].extensions.field).toMatch(/^input\.params\.a(\[0\])+$/);
    const deepLiteral = await post(server.url, JSON.stringify({ query: `mutation { createRun(input: { kind: TRAIN, params: { a: ${"[".repeat(depth)}${"]".repeat(depth)} } }) { id } }` }), bearer());
    expect(deepLiteral.status).toBe(400);
    expectNoInternals(deepLiteral.text);

    const run = (await gqlData(server.url, `mutation { createRun(input: { kind: TRAIN }) { id } }`, {}, admin)).createRun;
    const phase = await post(server.url, JSON.stringify({ query: `mutation($id: ID!, $phase: String) { updateRun(id: $id, input: { progress: { phase: $phase } }) { id } }`, variables: { id: run.id, phase: "p".repeat(9000) } }), bearer());
    expect(phase.json().errors[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "progress.phase" });
    expect(phase.status).toBe(400);
  });
});

describe("sizes are bounded (item 13)", () => {
  it("refuses params over 64 KiB, and a page whose answer could be huge", async () => {
    const big = await post(server.url, JSON.stringify({ query: `mutation($p: JSON) { createRun(input: { kind: TRAIN, params: $p }) { id } }`, variables: { p: { blob: "x".repeat(70 * 1024) } } }), bearer());
    expect(big.json().errors[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "params" });
    const page = await post(server.url, JSON.stringify({ query: `{ runs(first: 500) { nodes { id params details } } }` }), bearer());
    expect(page.status).toBe(400);
    expect(page.json().errors[0].message).toMatch(/query cost \d+ exceeds the limit of 20000/);
    const fine = await gqlData(server.url, `{ runs(first: 100) { nodes { id params } } }`, {}, admin);
    expect(Array.isArray(fine.runs.nodes)).toBe(true);
  });

  it("prices an operation the same with list variables (the estimate skips coercing them; execution still checks them)", async () => {
    // Over the cost limit, with a list variable beside the page size variable: still refused.
    const overCost = await post(server.url, JSON.stringify({
      query: `query($n: Int, $tags: [String!]) { runs(first: $n, filter: { tags: $tags }) { nodes { id params details } } }`,
      variables: { n: 500, tags: ["a", "b"] },
    }), bearer());
    expect(overCost.status).toBe(400);
    expect(overCost.json().errors[0].message).toMatch(/query cost \d+ exceeds the limit of 20000/);
    // A list variable whose items are not what the schema asks for is still refused, before anything is written.
    const run = (await gqlData(server.url, `mutation { createRun(input: { kind: TRAIN }) { id } }`, {}, admin)).createRun;
    const log = `mutation($id: ID!, $points: [MetricPointInput!]!) { logMetrics(runId: $id, points: $points) { inserted } }`;
    const bad = await post(server.url, JSON.stringify({ query: log, variables: { id: run.id, points: [{ name: "loss", value: 1 }, { name: "loss", value: "high" }] } }), bearer());
    expect(bad.status).toBe(400);
    expect(bad.json().errors[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(bad.json().errors[0].message).toMatch(/\$points/);
    const stored = await gqlData(server.url, `query($id: ID!) { run(id: $id) { metrics { name } } }`, { id: run.id }, admin);
    expect(stored.run.metrics).toEqual([]);
    const good = await gqlData(server.url, log, { id: run.id, points: [{ name: "loss", value: 1, step: 1 }] }, admin);
    expect(good.logMetrics.inserted).toBe(1);
  });
});

describe("dataset image listings page from an index (item 13)", () => {
  it("answers deep pages from a sorted listing built once, not by walking the dataset again", async () => {
    const dir = path.join(server.dataRoot, "many-faces");
    const expected: string[] = [];
    for (let identity = 0; identity < 12; identity++) {
      const folder = `id_${String(identity).padStart(4, "0")}`;
      await mkdir(path.join(dir, folder), { recursive: true });
      for (let i = 0; i < 100; i++) {
        const file = `${String(i).padStart(3, "0")}.png`;
        await writeFile(path.join(dir, folder, file), "");
        expected.push(`${folder}/${file}`);
      }
    }
    const id = (await gqlData(server.url, `mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }`, { input: { name: "many-faces", kind: "SYNTHETIC", requirement: "NONE", uri: dir } }, admin)).createDataset.id;
    const base = server.url.replace(/\/graphql$/, "");
    const list = async (offset: number, limit: number): Promise<any> => (await fetch(`${base}/files/datasets/${id}/images?offset=${offset}&limit=${limit}`, { headers: bearer() })).json();
    expect(await list(1100, 50)).toMatchObject({ offset: 1100, images: expected.slice(1100, 1150), hasMore: true });
    // The last identity folder goes away: deep pages still come from the index built above.
    await rename(path.join(dir, "id_0011"), path.join(server.dataRoot, "id_0011-moved"));
    expect(await list(1150, 100)).toMatchObject({ images: expected.slice(1150, 1200), hasMore: false });
    expect(await list(10_000_000, 10)).toMatchObject({ images: [], hasMore: false });
    // The first pages are walked (a bounded walk) and see the folder as it is now.
    expect((await list(0, 5)).images).toEqual(expected.slice(0, 5));
  });
});

describe("health reflects the database (item 14)", () => {
  it("answers 503 while the database refuses connections, 200 again after", async () => {
    const health = `${server.url.replace(/\/graphql$/, "")}/healthz`;
    expect((await fetch(health)).status).toBe(200);
    const adminDb = new pg.Client({ connectionString: inject("adminDatabaseUrl") });
    await adminDb.connect();
    try {
      await adminDb.query(`ALTER DATABASE "${server.database.name}" WITH ALLOW_CONNECTIONS false`);
      await adminDb.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [server.database.name]);
      const down = await fetch(health);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ ok: false, database: "unreachable" });
    } finally {
      await adminDb.query(`ALTER DATABASE "${server.database.name}" WITH ALLOW_CONNECTIONS true`);
      await adminDb.end();
    }
    await waitUntil(async () => (await fetch(health)).status === 200, 20_000);
  });
});
