// Subscription churn (issue 15, item 6): rounds of CHURN_SOCKETS graphql-ws sockets x
// CHURN_PER_SOCKET subscriptions that never receive an event, opened and then closed. After
// each round the heap is measured after a full GC; the baseline is the heap before the first
// round, measured in the same run. A server that keeps closed subscriptions grows by the same
// amount every round (3da75f9: ~200 MB per 4,000 subscriptions); one that frees them returns
// to its baseline. In-process (server and clients), like the fan-out bench.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { postGraphQL, startBenchServer } from "./bench-server";

const SOCKETS = Number(process.env.CHURN_SOCKETS ?? 40);
const PER_SOCKET = Number(process.env.CHURN_PER_SOCKET ?? 100);
const ROUNDS = Number(process.env.CHURN_ROUNDS ?? 3);

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const heapMb = () => {
  gc();
  gc();
  return Math.round(process.memoryUsage().heapUsed / 1e6);
};

const waitFor = async (ok: () => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!ok() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
};

export async function run() {
  const server = await startBenchServer({ MAX_WS_CONNECTIONS_PER_CLIENT: String(SOCKETS + 10), MAX_SUBSCRIPTIONS_PER_CONNECTION: String(PER_SOCKET) });
  try {
    const runId = (await postGraphQL(server.url, `mutation { createRun(input: { kind: TRAIN }) { id } }`, {})).createRun.id;
    const baseline = heapMb();
    const rounds: Array<{ open: number; heapOpenMb: number; heapAfterCloseMb: number; left: number }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      const sockets = Array.from({ length: SOCKETS }, () => createClient({ url: server.app.http.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 }));
      for (const socket of sockets) {
        for (let i = 0; i < PER_SOCKET; i++) {
          socket.subscribe({ query: `subscription($id: ID!) { metricLogged(runId: $id) { count } }`, variables: { id: runId } }, { next() {}, error() {}, complete() {} });
        }
      }
      await waitFor(() => server.app.events.subscriberCount() >= SOCKETS * PER_SOCKET, 60_000);
      const open = server.app.events.subscriberCount();
      const heapOpenMb = heapMb();
      await Promise.all(sockets.map((s) => s.dispose()));
      await waitFor(() => server.app.events.subscriberCount() === 0, 30_000);
      await new Promise((r) => setTimeout(r, 1_000));
      rounds.push({ open, heapOpenMb, heapAfterCloseMb: heapMb(), left: server.app.events.subscriberCount() });
    }
    const last = rounds[rounds.length - 1]!;
    const result = { subscriptionsPerRound: SOCKETS * PER_SOCKET, baselineHeapMb: baseline, rounds, lastRoundAfterCloseVsBaseline: last.heapAfterCloseMb / baseline };
    console.log(`subscription churn: ${ROUNDS} rounds of ${SOCKETS * PER_SOCKET} subscriptions; heap ${baseline} MB before, after closing each round ${rounds.map((r) => r.heapAfterCloseMb).join(", ")} MB (${result.lastRoundAfterCloseVsBaseline.toFixed(2)}x the baseline); subscriptions left ${last.left}`);
    return result;
  } finally {
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
