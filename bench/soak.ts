// Soak: 20 clients logging metrics and 200 subscribers for SOAK_SECONDS (default
// 60) while runs start and finish. Checks: no errors, no lost metric points (the
// database count equals what the clients sent), server heap flat (sampled).
import { performance } from "node:perf_hooks";
import pg from "pg";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { postGraphQL, startBenchServer } from "./bench-server";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const WRITERS = 20;
const SUBSCRIBERS = 200;
const POINTS_PER_CALL = 100;

export async function run() {
  const server = await startBenchServer({ MAX_WS_CONNECTIONS_PER_CLIENT: String(SUBSCRIBERS + 10) });
  const errors: string[] = [];
  try {
    const createRun = `mutation { createRun(input: { kind: TRAIN }) { id } }`;
    const runs: string[] = [];
    for (let i = 0; i < WRITERS; i++) runs.push((await postGraphQL(server.url, createRun, {})).createRun.id);

    let delivered = 0;
    const clients = Array.from({ length: SUBSCRIBERS }, (_, i) => {
      const client = createClient({ url: server.app.http.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
      const query = i % 2 ? `subscription($id: ID!) { metricLogged(runId: $id) { count } }` : `subscription { runUpdated { id status } }`;
      client.subscribe({ query, variables: { id: runs[i % WRITERS] } }, {
        next: () => void delivered++,
        error: (e) => errors.push(`subscriber: ${JSON.stringify(e)}`),
        complete: () => undefined,
      });
      return client;
    });

    const heap: number[] = [];
    const sampler = setInterval(() => heap.push(process.memoryUsage().heapUsed), 2_000);
    const deadline = performance.now() + SECONDS * 1000;
    let sent = 0;
    let calls = 0;
    const writer = async (w: number) => {
      let step = 0;
      while (performance.now() < deadline) {
        const points = Array.from({ length: POINTS_PER_CALL }, () => ({ name: "loss", value: Math.random(), step: step++ }));
        try {
          await postGraphQL(server.url, `mutation($id: ID!, $p: [MetricPointInput!]!) { logMetrics(runId: $id, points: $p) { inserted } }`, { id: runs[w], p: points });
          sent += points.length;
          calls++;
        } catch (error) {
          errors.push(`writer ${w}: ${(error as Error).message}`);
        }
      }
    };
    // Runs start and finish meanwhile (status events fan out to the runUpdated subscribers).
    let lifecycles = 0;
    const churn = async () => {
      while (performance.now() < deadline) {
        try {
          const id = (await postGraphQL(server.url, `mutation { createRun(input: { kind: EVALUATE }) { id } }`, {})).createRun.id;
          await postGraphQL(server.url, `mutation($id: ID!) { updateRun(id: $id, input: { status: SUCCEEDED }) { id } }`, { id });
          lifecycles++;
        } catch (error) {
          errors.push(`churn: ${(error as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    await Promise.all([...runs.map((_, w) => writer(w)), churn()]);
    clearInterval(sampler);
    await new Promise((r) => setTimeout(r, 1_000));
    await Promise.all(clients.map((c) => c.dispose()));

    const db = new pg.Client({ connectionString: server.databaseUrl });
    await db.connect();
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM metric WHERE run_id = ANY($1::uuid[])`, [runs]);
    await db.end();
    const third = Math.max(1, Math.floor(heap.length / 3));
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const result = {
      seconds: SECONDS,
      pointsSent: sent,
      pointsStored: rows[0].n,
      lost: sent - rows[0].n,
      logMetricsCalls: calls,
      pointsPerSecond: Math.round(sent / SECONDS),
      runLifecycles: lifecycles,
      eventsDelivered: delivered,
      errors: errors.length,
      heapFirstThirdMb: Math.round(avg(heap.slice(0, third)) / 1e6),
      heapLastThirdMb: Math.round(avg(heap.slice(-third)) / 1e6),
    };
    console.log(`soak ${SECONDS}s: ${WRITERS} writers sent ${sent} points (${result.pointsPerSecond}/s), stored ${rows[0].n} (lost ${result.lost}); ${lifecycles} runs started+finished; ${delivered} events to ${SUBSCRIBERS} subscribers; ${errors.length} errors; heap ${result.heapFirstThirdMb} MB (first third) -> ${result.heapLastThirdMb} MB (last third)`);
    if (errors.length) console.log(errors.slice(0, 5).join("\n"));
    return result;
  } finally {
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run();
}
