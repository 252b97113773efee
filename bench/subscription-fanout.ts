// Subscription fan-out: 500 graphql-ws clients subscribed to one run's progress;
// a writer posts progress the way workers do (row update + NOTIFY in one
// transaction); each client measures the delay from write to delivery.
// Target: p99 under 100 ms on this machine. Baseline in the same run: the delay
// of the bare Postgres NOTIFY to one LISTEN client (what the fan-out adds to).
import { performance } from "node:perf_hooks";
import pg from "pg";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { createProgressReporter } from "../src/worker/progress-reporter";
import { percentile, postGraphQL, startBenchServer } from "./bench-server";

const SUBSCRIBERS = Number(process.env.FANOUT_SUBSCRIBERS ?? 500);
const UPDATES = 40;
const INTERVAL_MS = 150;

async function bareNotifyDelays(databaseUrl: string): Promise<number[]> {
  const listener = new pg.Client({ connectionString: databaseUrl });
  const writer = new pg.Client({ connectionString: databaseUrl });
  await Promise.all([listener.connect(), writer.connect()]);
  await listener.query("LISTEN bench_baseline");
  const delays: number[] = [];
  listener.on("notification", (n) => delays.push(Date.now() - Number(n.payload)));
  for (let i = 0; i < UPDATES; i++) {
    await writer.query("SELECT pg_notify('bench_baseline', $1)", [String(Date.now())]);
    await new Promise((r) => setTimeout(r, INTERVAL_MS / 3));
  }
  await new Promise((r) => setTimeout(r, 200));
  await Promise.all([listener.end(), writer.end()]);
  return delays;
}

export async function run() {
  // All subscribers come from this one address: lift the per-client socket cap for them.
  const server = await startBenchServer({ MAX_WS_CONNECTIONS_PER_CLIENT: String(SUBSCRIBERS + 10) });
  try {
    const runId = (await postGraphQL(server.url, `mutation { createRun(input: { kind: TRANSFER }) { id } }`, {})).createRun.id;
    const wsUrl = server.app.http.wsUrl;
    const delays: number[] = [];
    let ready = 0;
    const clients = Array.from({ length: SUBSCRIBERS }, () => createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 }));
    const allReady = new Promise<void>((resolve) => {
      for (const client of clients) {
        let first = true;
        client.subscribe<{ runProgress: { at: number; done: number } }>(
          { query: `subscription($id: ID!) { runProgress(runId: $id) { done at } }`, variables: { id: runId } },
          {
            next: ({ data }) => {
              if (first) {
                first = false; // the current state, sent on subscribe
                if (++ready === SUBSCRIBERS) resolve();
                return;
              }
              delays.push(Date.now() - data!.runProgress.at);
            },
            error: (e) => console.error("subscriber error", e),
            complete: () => undefined,
          },
        );
      }
    });
    const connectStart = performance.now();
    await allReady;
    console.log(`  ${SUBSCRIBERS} subscribers connected in ${(performance.now() - connectStart).toFixed(0)} ms`);

    // Progress as a worker writes it (the reporter is rate-limited; flush each time).
    await server.app.services.runs.update(runId, { status: "RUNNING" }, { name: "bench", tokenId: null, admin: true });
    const reporter = createProgressReporter(server.app.services.stores, runId, 0);
    for (let i = 1; i <= UPDATES; i++) {
      reporter.report({ done: i, total: UPDATES, phase: "transferring" });
      await reporter.flush();
      await new Promise((r) => setTimeout(r, INTERVAL_MS));
    }
    await new Promise((r) => setTimeout(r, 1_000));
    await Promise.all(clients.map((c) => c.dispose()));

    delays.sort((a, b) => a - b);
    const expected = SUBSCRIBERS * UPDATES;
    const baseline = (await bareNotifyDelays(server.databaseUrl)).sort((a, b) => a - b);
    const result = {
      subscribers: SUBSCRIBERS,
      deliveries: delays.length,
      expected,
      p50Ms: percentile(delays, 50),
      p99Ms: percentile(delays, 99),
      bareNotifyP50Ms: percentile(baseline, 50),
      bareNotifyP99Ms: percentile(baseline, 99),
    };
    console.log(
      `subscription fan-out: ${result.deliveries}/${expected} deliveries to ${SUBSCRIBERS} subscribers, write->delivery p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms (target p99 < 100 ms); bare NOTIFY->LISTEN p50 ${result.bareNotifyP50Ms} ms, p99 ${result.bareNotifyP99Ms} ms`,
    );
    return result;
  } finally {
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run();
}
