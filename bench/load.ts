// Load run (issue 15): LOAD_SECONDS (default 60) of 100 HTTP clients running the runs query
// back to back while 50 graphql-ws subscribers receive run updates, against a server started
// the way users start it (`node --import tsx src/main.ts`, a separate process, so its RSS is
// its own). Reports the query's p50/p95/p99, errors, and the server's RSS before the load,
// at its peak, and after the clients left. Then two rounds of subscription churn (CHURN_SOCKETS
// sockets x CHURN_PER_SOCKET subscriptions opened, then closed) with the RSS after each: a
// server that leaks subscriptions keeps growing from round to round.
//   npm run bench -- load                       this checkout
//   tsx bench/load.ts [--server-dir DIR]       alone; DIR: another checkout (e.g. a baseline
//                                               commit) whose src/main.ts is started instead
import { spawn, type ChildProcess } from "node:child_process";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { ensureDatabase, startEmbeddedPostgres } from "../src/db/embedded-postgres";
import { percentile, postGraphQL } from "./bench-server";

const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const HTTP_CLIENTS = Number(process.env.LOAD_HTTP_CLIENTS ?? 100);
const SUBSCRIBERS = Number(process.env.LOAD_SUBSCRIBERS ?? 50);
const SEEDED_RUNS = 200;
const CHURN_SOCKETS = Number(process.env.LOAD_CHURN_SOCKETS ?? 40);
const CHURN_PER_SOCKET = Number(process.env.LOAD_CHURN_PER_SOCKET ?? 100);
const RUNS_QUERY = `{ runs(first: 50) { totalCount nodes { id kind status name group seed params createdAt progress { done total phase fraction } } } }`;

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

function startServer(serverDir: string, env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], { cwd: serverDir, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /GraphQL:\s+(http:\S+)/.exec(output)?.[1];
      if (url) resolve({ child, url });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`server exited (${code}) before it was ready:\n${output}`)));
  });
}

export async function run(serverDir = process.cwd()) {
  const dir = await mkdtemp(path.join(os.tmpdir(), "realismlab-load-"));
  await chmod(dir, 0o755);
  const embedded = await startEmbeddedPostgres(path.join(dir, "pg"));
  let server: { child: ChildProcess; url: string } | null = null;
  const subscribers: Client[] = [];
  try {
    const databaseUrl = await ensureDatabase(embedded, "realismlab_load");
    server = await startServer(serverDir, {
      DATABASE_URL: databaseUrl, PORT: "0", HOST: "127.0.0.1", DATA_DIR: dir, AUTH_REQUIRED: "false", WORKER_IN_PROCESS: "false",
    });
    const { url } = server;
    const pid = server.child.pid!;
    const ids: string[] = [];
    for (let i = 0; i < SEEDED_RUNS; i++) {
      const params = { lr: 0.001 * (i + 1), batchSize: 128, backbone: "ir50", head: "adaface", notes: "x".repeat(200) };
      ids.push((await postGraphQL(url, `mutation($p: JSON) { createRun(input: { kind: TRAIN, name: "load ${i}", params: $p }) { id } }`, { p: params })).createRun.id);
    }
    for (let i = 0; i < 20; i++) await postGraphQL(url, RUNS_QUERY, {}); // warm-up
    const before = await rssMb(pid);

    let delivered = 0;
    const wsUrl = url.replace(/^http/, "ws");
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
      client.subscribe({ query: `subscription { runUpdated { id status } }` }, { next: () => void delivered++, error: () => undefined, complete: () => undefined });
      subscribers.push(client);
    }

    const latencies: number[] = [];
    let errors = 0;
    let peak = before;
    const deadline = performance.now() + SECONDS * 1000;
    const sampler = setInterval(() => void rssMb(pid).then((mb) => (peak = Math.max(peak, mb)), () => undefined), 1000);
    // Events for the subscribers: run status changes, a few per second.
    const writer = (async () => {
      let n = 0;
      while (performance.now() < deadline) {
        const id = ids[n++ % ids.length]!;
        await postGraphQL(url, `mutation($id: ID!, $n: String) { updateRun(id: $id, input: { name: $n }) { id } }`, { id, n: `load ${n}` }).catch(() => void errors++);
        await postGraphQL(url, `mutation { createRun(input: { kind: EVALUATE }) { id } }`, {}).catch(() => void errors++);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const clients = Array.from({ length: HTTP_CLIENTS }, async () => {
      while (performance.now() < deadline) {
        const start = performance.now();
        try {
          await postGraphQL(url, RUNS_QUERY, {});
          latencies.push(performance.now() - start);
        } catch {
          errors++;
        }
      }
    });
    await Promise.all([...clients, writer]);
    clearInterval(sampler);
    await Promise.all(subscribers.splice(0).map((c) => c.dispose()));
    await new Promise((r) => setTimeout(r, 5_000)); // let the server release what the clients held
    const after = await rssMb(pid);

    // Churn: open many subscriptions that never receive an event, close them, twice.
    const churnRssMb: number[] = [];
    for (let round = 0; round < 2; round++) {
      const sockets = Array.from({ length: CHURN_SOCKETS }, () => createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 }));
      let acknowledged = 0;
      for (const socket of sockets) {
        for (let i = 0; i < CHURN_PER_SOCKET; i++) {
          socket.subscribe({ query: `subscription($id: ID!) { metricLogged(runId: $id) { count } }`, variables: { id: ids[i % ids.length] } }, { next: () => undefined, error: () => undefined, complete: () => undefined });
        }
        socket.on("connected", () => void acknowledged++);
      }
      const until = performance.now() + 30_000;
      while (acknowledged < sockets.length && performance.now() < until) await new Promise((r) => setTimeout(r, 200));
      await new Promise((r) => setTimeout(r, 3_000)); // the server sets up the subscriptions
      await Promise.all(sockets.map((c) => c.dispose()));
      await new Promise((r) => setTimeout(r, 5_000));
      churnRssMb.push(await rssMb(pid));
    }

    latencies.sort((a, b) => a - b);
    const result = {
      seconds: SECONDS,
      httpClients: HTTP_CLIENTS,
      subscribers: SUBSCRIBERS,
      queries: latencies.length,
      queriesPerSecond: Math.round(latencies.length / SECONDS),
      errors,
      eventsDelivered: delivered,
      p50Ms: Math.round(percentile(latencies, 50)),
      p95Ms: Math.round(percentile(latencies, 95)),
      p99Ms: Math.round(percentile(latencies, 99)),
      rssBeforeMb: before,
      rssPeakMb: peak,
      rssAfterMb: after,
      churnSubscriptionsPerRound: CHURN_SOCKETS * CHURN_PER_SOCKET,
      churnRssMb,
    };
    console.log(`load ${SECONDS}s (${serverDir}): ${result.queries} runs queries (${result.queriesPerSecond}/s) from ${HTTP_CLIENTS} clients, p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms, p99 ${result.p99Ms} ms, ${errors} errors; ${delivered} events to ${SUBSCRIBERS} subscribers; server RSS ${before} MB before -> ${peak} MB peak -> ${after} MB after; after 2 rounds of ${CHURN_SOCKETS * CHURN_PER_SOCKET} subscriptions opened and closed: ${churnRssMb.join(" MB, ")} MB`);
    return result;
  } finally {
    await Promise.all(subscribers.map((c) => c.dispose()));
    if (server) {
      const exited = new Promise((r) => server!.child.once("exit", r));
      server.child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    }
    await embedded.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

// Alone: tsx bench/load.ts [--server-dir DIR]
if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { "server-dir": { type: "string" } } });
  const result = await run(values["server-dir"] ? path.resolve(values["server-dir"]) : process.cwd());
  console.log(JSON.stringify(result, null, 2));
}
