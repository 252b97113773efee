// A real GraphQL client over HTTP (fetch) and WebSocket (graphql-ws), as users run them.
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

export interface GraphQLResponse<T> {
  data?: T;
  errors?: Array<{ message: string; path?: string[]; extensions?: { code?: string; field?: string } }>;
}

export async function gql<T = any>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse<T>;
}

/** Like gql but throws when the response has errors. */
export async function gqlData<T = any>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const result = await gql<T>(url, query, variables, token);
  if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
  return result.data!;
}

export function wsClient(url: string, options: { retryAttempts?: number; token?: string } = {}): Client {
  return createClient({
    url,
    webSocketImpl: WebSocket,
    retryAttempts: options.retryAttempts ?? 0,
    lazy: true,
    ...(options.token ? { connectionParams: { authorization: `Bearer ${options.token}` } } : {}),
  });
}

/** Collects a subscription's events; `next(predicate)` waits for a matching one. */
export function subscribe<T = any>(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const events: T[] = [];
  const waiters: Array<{ predicate: (e: T) => boolean; resolve: (e: T) => void }> = [];
  let failure: unknown = null;
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) failure = new Error(JSON.stringify(result.errors));
        const event = result.data as T;
        events.push(event);
        for (const waiter of [...waiters]) {
          if (waiter.predicate(event)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(event);
          }
        }
      },
      error: (error) => (failure = error),
      complete: () => undefined,
    },
  );
  return {
    events,
    get failure() {
      return failure;
    },
    next(predicate: (e: T) => boolean = () => true, timeoutMs = 20_000): Promise<T> {
      const found = events.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching event in ${timeoutMs} ms; got ${JSON.stringify(events.slice(-3))}`)), timeoutMs);
        waiters.push({ predicate, resolve: (e) => { clearTimeout(timer); resolve(e); } });
      });
    },
    unsubscribe,
  };
}
