// Serialises start-up work (migrations, seeding) across processes that start
// together: API replicas and workers on the same database.
import pg from "pg";

export const LOCKS = {
  migrations: 72_707_369,
  seed: 72_707_370,
  queue: 72_707_371,
} as const;

export async function withAdvisoryLock<T>(databaseUrl: string, key: number, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [key]);
    return await work(client);
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [key]).catch(() => undefined);
    await client.end();
  }
}

