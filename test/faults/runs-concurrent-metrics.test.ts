// A burst of concurrent logMetrics calls to one run over HTTP, with overlapping
// (name, step) keys written in different orders: every call succeeds (no deadlock,
// no transaction start timeout), every point is stored, and each call's points land
// together (keys written by the same calls end with the value of the same call).
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { gql, gqlData } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ AUTH_REQUIRED: "true" });
});
afterAll(() => server?.close());

const CALLS = 200;
const GROUPS = 10;
const KEYS_PER_GROUP = 40;
const SHARED_KEYS = 40;

/** A deterministic shuffle, so every call writes its keys in its own order. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let state = seed * 2654435761 + 1;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

it("stores every point of 200 concurrent calls with overlapping keys, atomically per call", async () => {
  const { secret: writer } = await server.app.services.auth.createToken({ name: "burst-writer", scopes: ["WRITE"] });
  const runId = (await gqlData(server.url, `mutation { createRun(input: { kind: TRAIN, name: "burst" }) { id } }`, {}, writer)).createRun.id;
  const groupKeys = (g: number) => Array.from({ length: KEYS_PER_GROUP }, (_, k) => ({ name: `group${g}/m${k % 4}`, step: k }));
  const sharedKeys = Array.from({ length: SHARED_KEYS }, (_, k) => ({ name: "shared", step: k }));
  const mutation = `mutation($id: ID!, $points: [MetricPointInput!]!) { logMetrics(runId: $id, points: $points) { received inserted } }`;

  const results = await Promise.all(
    Array.from({ length: CALLS }, (_, call) => {
      // Call `call` writes its group's keys and the shared keys, all with value = call.
      const keys = shuffled([...groupKeys(call % GROUPS), ...sharedKeys], call);
      return gql(server.url, mutation, { id: runId, points: keys.map((key) => ({ ...key, value: call })) }, writer);
    }),
  );
  const failures = results.filter((r) => r.errors?.length);
  expect(failures.map((f) => f.errors![0]!.message)).toEqual([]);
  expect(results.every((r) => r.data.logMetrics.received === KEYS_PER_GROUP + SHARED_KEYS)).toBe(true);
  // Each key was new to exactly one call.
  expect(results.reduce((sum, r) => sum + r.data.logMetrics.inserted, 0)).toBe(GROUPS * KEYS_PER_GROUP + SHARED_KEYS);

  const db = new pg.Client({ connectionString: server.database.url });
  await db.connect();
  try {
    const { rows } = await db.query<{ name: string; step: number; value: number }>(`SELECT name, step, value FROM metric WHERE run_id = $1`, [runId]);
    expect(rows).toHaveLength(GROUPS * KEYS_PER_GROUP + SHARED_KEYS);
    // Every key of a group ends with one value, from a call of that group (the last to commit).
    for (let g = 0; g < GROUPS; g++) {
      const values = new Set(rows.filter((r) => r.name.startsWith(`group${g}/`)).map((r) => r.value));
      expect(values.size).toBe(1);
      expect([...values][0]! % GROUPS).toBe(g);
    }
    // The shared keys, written by every call, all carry the value of one call.
    expect(new Set(rows.filter((r) => r.name === "shared").map((r) => r.value)).size).toBe(1);
    // Every call is in the run's audit trail.
    const audit = await db.query(`SELECT count(*)::int AS n FROM run_audit_event WHERE run_id = $1 AND action = 'logMetrics' AND actor = 'burst-writer'`, [runId]);
    expect(audit.rows[0].n).toBe(CALLS);
  } finally {
    await db.end();
  }
}, 120_000);
