// Publishing an event is a `pg_notify` inside the writer's transaction: Postgres
// delivers it only if the write commits, so no client sees an event for a write
// that did not happen.
import type { Db } from "../db/prisma";
import { EVENTS_CHANNEL, type EventMap, type Topic } from "./topics";

type Executor = Pick<Db, "$executeRaw">;

/** Postgres refuses NOTIFY payloads of 8000 bytes or more ("payload string too long"). */
const MAX_PAYLOAD_BYTES = 7_900;
const SHORTENED_STRING = 256;

/**
 * The envelope as JSON, under the NOTIFY limit: inputs are bounded where they enter
 * (e.g. progress.phase), so this only shortens long strings as a last resort, rather than
 * failing the write that the event announces.
 */
export function notifyPayload<T extends Topic>(topic: T, payload: EventMap[T]): string {
  const text = JSON.stringify({ topic, payload });
  if (Buffer.byteLength(text) <= MAX_PAYLOAD_BYTES) return text;
  const shortened = JSON.stringify({ topic, payload }, (_key, value) =>
    typeof value === "string" && value.length > SHORTENED_STRING ? `${value.slice(0, SHORTENED_STRING)}…` : value,
  );
  if (Buffer.byteLength(shortened) <= MAX_PAYLOAD_BYTES) return shortened;
  // Lists (log lines, metric names) too: keep what fits of each.
  return JSON.stringify({ topic, payload }, (_key, value) => {
    if (typeof value === "string" && value.length > 64) return `${value.slice(0, 64)}…`;
    if (Array.isArray(value) && value.length > 16) return value.slice(0, 16);
    return value;
  });
}

export function notifyStatement<T extends Topic>(db: Executor, topic: T, payload: EventMap[T]) {
  return db.$executeRaw`SELECT pg_notify(${EVENTS_CHANNEL}, ${notifyPayload(topic, payload)})`;
}
