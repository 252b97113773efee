// Publishing an event is a `pg_notify` inside the writer's transaction: Postgres
// delivers it only if the write commits, so no client sees an event for a write
// that did not happen.
import type { Db } from "../db/prisma";
import { EVENTS_CHANNEL, type EventMap, type Topic } from "./topics";

type Executor = Pick<Db, "$executeRaw">;

export function notifyStatement<T extends Topic>(db: Executor, topic: T, payload: EventMap[T]) {
  return db.$executeRaw`SELECT pg_notify(${EVENTS_CHANNEL}, ${JSON.stringify({ topic, payload })})`;
}
