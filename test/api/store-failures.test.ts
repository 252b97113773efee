// A failing database is an INTERNAL error, never "not found": the look-ups that used to
// swallow every error (`.catch(() => null)`) now let a real failure through. The failure is
// real: the test database stops accepting connections and its backends are terminated.
import pg from "pg";
import { inject } from "vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql, gqlData } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";

let server: TestServer;
let admin: pg.Client;
beforeAll(async () => {
  server = await startTestServer();
  admin = new pg.Client({ connectionString: inject("adminDatabaseUrl") });
  await admin.connect();
});
afterAll(async () => {
  await admin?.query(`ALTER DATABASE "${server.database.name}" WITH ALLOW_CONNECTIONS true`).catch(() => undefined);
  await admin?.end();
  await server?.close();
});

/** Takes the API's database away: no new connections, and every open one terminated. */
async function failDatabase() {
  const name = server.database.name;
  await admin.query(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS false`);
  await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
}

async function restoreDatabase() {
  await admin.query(`ALTER DATABASE "${server.database.name}" WITH ALLOW_CONNECTIONS true`);
}

describe("a database failure", () => {
  it("answers INTERNAL_SERVER_ERROR (not NOT_FOUND, null or BAD_USER_INPUT), and recovers when the database is back", async () => {
    const run = (await gqlData(server.url, `mutation { createRun(input: { kind: TRAIN }) { id } }`)).createRun;
    const [dataset] = (await gqlData(server.url, `{ datasets { id } }`)).datasets;
    expect(dataset?.id).toBeTruthy();

    await failDatabase();
    try {
      const read = await gql(server.url, `query($id: ID!) { run(id: $id) { id } }`, { id: run.id });
      expect(read.errors?.[0]?.extensions?.code).toBe("INTERNAL_SERVER_ERROR");
      expect(read.data?.run ?? null).toBeNull();

      const archive = await gql(server.url, `mutation($id: ID!) { archiveRun(id: $id) { id } }`, { id: run.id });
      expect(archive.errors?.[0]?.extensions?.code).toBe("INTERNAL_SERVER_ERROR");

      const notes = await gql(server.url, `mutation($id: ID!) { setRunNotes(id: $id, notes: "x") { id } }`, { id: run.id });
      expect(notes.errors?.[0]?.extensions?.code).toBe("INTERNAL_SERVER_ERROR");

      const launch = await gql(server.url, `mutation($d: ID!) { launchTraining(datasetId: $d, trainerId: "00000000-0000-0000-0000-000000000001") { id } }`, { d: dataset.id });
      expect(launch.errors?.[0]?.extensions?.code).toBe("INTERNAL_SERVER_ERROR");

      // The dashboard's file route maps the same way: an opaque 500, not a 404.
      const images = await fetch(new URL(`/files/datasets/${dataset.id}/images`, server.url));
      expect(images.status).toBe(500);
      expect(await images.json()).toEqual({ error: { code: "INTERNAL_SERVER_ERROR", message: "Internal server error" } });
    } finally {
      await restoreDatabase();
    }

    // Back: the same look-ups answer again, and a genuine miss is still NOT_FOUND / null.
    await expect.poll(async () => (await gql(server.url, `query($id: ID!) { run(id: $id) { id } }`, { id: run.id })).data?.run?.id, { timeout: 10_000 }).toBe(run.id);
    const missing = await gql(server.url, `mutation { archiveRun(id: "00000000-0000-0000-0000-000000000000") { id } }`);
    expect(missing.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const notUuid = await gql(server.url, `{ run(id: "not-a-uuid") { id } }`);
    expect(notUuid).toEqual({ data: { run: null } });
  });
});
