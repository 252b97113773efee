// One dedicated LISTEN connection per process (not through Prisma) fans
// notifications out to in-process subscribers. It reconnects with backoff;
// events sent while it was disconnected are lost, so subscribers are told to
// refetch state (onReconnect) rather than trust the stream to be gap-free.
import { EventEmitter, on } from "node:events";
import pg from "pg";
import { EVENTS_CHANNEL, type EventEnvelope, type EventMap, type Topic } from "./topics";

export interface EventBus {
  /** Async iterator of one topic's payloads, ended when `signal` aborts. */
  subscribe<T extends Topic>(topic: T, signal?: AbortSignal): AsyncIterableIterator<EventMap[T]>;
  onReconnect(listener: () => void): () => void;
  /** Live subscriptions in this process, all topics together (diagnostics; a leak shows here). `on()` also listens for 'error', not counted. */
  subscriberCount(): number;
  close(): Promise<void>;
}

export async function startEventBus(databaseUrl: string, log: (msg: string) => void = () => {}): Promise<EventBus> {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0); // one listener per subscription; hundreds are normal
  let client: pg.Client | null = null;
  let closed = false;
  let attempt = 0;
  let reconnectPending = false;

  async function connect(): Promise<void> {
    const next = new pg.Client({ connectionString: databaseUrl });
    next.on("notification", (message) => {
      if (!message.payload) return;
      try {
        const envelope = JSON.parse(message.payload) as EventEnvelope;
        emitter.emit(envelope.topic, envelope.payload);
      } catch {
        log(`event bus: ignored a malformed notification`);
      }
    });
    next.on("error", (error) => log(`event bus: ${error.message}`));
    next.on("end", () => {
      if (!closed) scheduleReconnect();
    });
    await next.connect();
    await next.query(`LISTEN ${EVENTS_CHANNEL}`);
    client = next;
    if (attempt > 0) emitter.emit("__reconnect");
    attempt = 0;
  }

  // One reconnect chain at a time, however many 'end'/'error' reports arrive.
  function scheduleReconnect(): void {
    client = null;
    if (reconnectPending || closed) return;
    reconnectPending = true;
    const delay = Math.min(2_000, 100 * 2 ** attempt++);
    setTimeout(() => {
      reconnectPending = false;
      if (!closed) connect().catch((error) => {
        log(`event bus: reconnect failed (${(error as Error).message})`);
        scheduleReconnect();
      });
    }, delay).unref();
  }

  await connect();

  return {
    subscribe(topic, signal) {
      return mapIterator(on(emitter, topic, { signal }), (args) => args[0]);
    },
    subscriberCount() {
      return emitter.eventNames().reduce((sum, name) => sum + (name === "__reconnect" || name === "error" ? 0 : emitter.listenerCount(name)), 0);
    },
    onReconnect(listener) {
      emitter.on("__reconnect", listener);
      return () => emitter.off("__reconnect", listener);
    },
    async close() {
      closed = true;
      await client?.end().catch(() => undefined);
    },
  };
}

async function* mapIterator<T, U>(source: AsyncIterableIterator<T>, map: (value: T) => U): AsyncIterableIterator<U> {
  try {
    for await (const value of source) yield map(value);
  } catch (error) {
    if ((error as Error).name !== "AbortError") throw error;
  }
}
