// leaderboardChanged over graphql-ws: fires when an EVALUATE run in scope succeeds,
// not for TRAIN runs, failed runs or runs outside the subscriber's filter.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gqlData, subscribe, wsClient } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { createRun, idOf } from "./helpers";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const CHANGED = `subscription($filter: LeaderboardFilter) {
  leaderboardChanged(filter: $filter) { reason runId group run { id status kind } }
}`;

describe("leaderboardChanged", () => {
  it("fires for a finished EVALUATE run in scope, and the refetched leaderboard shows it", async () => {
    const digi = await idOf(server.url, "dataset", "DigiFace1M");
    const webface = await idOf(server.url, "dataset", "WebFace4M");
    const client = wsClient(server.wsUrl);
    try {
      const all = subscribe(client, CHANGED);
      const synthetic = subscribe(client, CHANGED, { filter: { datasetKind: ["SYNTHETIC"], published: false } });
      // Warm-up runs until both subscribers hear one: the subscriptions are live before the real events.
      const warmups: string[] = [];
      const heard = (s: typeof all) => s.events.some((e) => warmups.includes(e.leaderboardChanged.runId));
      for (let attempt = 0; attempt < 20 && !(heard(all) && heard(synthetic)); attempt++) {
        warmups.push(await createRun(server.url, { datasetId: digi, params: { warmup: true }, accuracy: { LFW: 0.5 } }));
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(heard(all) && heard(synthetic)).toBe(true);
      const after = (s: typeof all) => s.events.map((e) => e.leaderboardChanged.runId).filter((id) => !warmups.includes(id));

      await createRun(server.url, { kind: "TRAIN", datasetId: digi, accuracy: { LFW: 0.5 } });
      await createRun(server.url, { datasetId: digi, accuracy: { LFW: 0.6 }, status: "FAILED" });
      const realRun = await createRun(server.url, { datasetId: webface, group: "real", accuracy: { LFW: 0.99 } });
      const running = await createRun(server.url, { datasetId: digi, group: "digi", seed: 7, accuracy: { LFW: 0.912 }, status: "RUNNING" });
      // The real-data run succeeded and is in the unfiltered scope.
      await all.next((e) => e.leaderboardChanged.runId === realRun);

      await gqlData(server.url, `mutation($id: ID!) { updateRun(id: $id, input: { status: SUCCEEDED }) { id } }`, { id: running });

      const inScope = await synthetic.next((e) => e.leaderboardChanged.runId === running);
      expect(inScope.leaderboardChanged).toEqual({ reason: "RUN_SUCCEEDED", runId: running, group: "digi", run: { id: running, status: "SUCCEEDED", kind: "EVALUATE" } });
      // The unfiltered subscriber saw the real-data run and then this one; the TRAIN and FAILED runs never.
      await all.next((e) => e.leaderboardChanged.runId === running);
      expect(after(all)).toEqual([realRun, running]);
      // The SYNTHETIC subscriber did not hear about the WebFace4M run.
      expect(after(synthetic)).toEqual([running]);

      const board = await gqlData(server.url, `query { leaderboard(benchmarks: ["LFW"], filter: { published: false, datasetKind: [SYNTHETIC] }) { rows { runIds cells { mean n } } } }`);
      expect(board.leaderboard.rows).toEqual([
        { runIds: warmups, cells: [{ mean: 0.5, n: warmups.length }] },
        { runIds: [running], cells: [{ mean: 0.912, n: 1 }] },
      ]);
      expect(all.failure).toBeNull();
      all.unsubscribe();
      synthetic.unsubscribe();
    } finally {
      await client.dispose();
    }
  });

  it("rejects a filter naming an unknown dataset", async () => {
    const client = wsClient(server.wsUrl);
    try {
      const sub = subscribe(client, CHANGED, { filter: { datasets: ["NoSuchFaces"] } });
      await expect.poll(() => sub.failure, { timeout: 10_000 }).toBeTruthy();
      expect(String(JSON.stringify(sub.failure))).toContain("NoSuchFaces");
    } finally {
      await client.dispose();
    }
  });
});
