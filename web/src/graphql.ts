// The dashboard's GraphQL client: queries and mutations over HTTP (fetch), subscriptions
// over graphql-ws on the same /graphql path. Errors keep their extensions (code, field)
// so forms can show BAD_USER_INPUT next to the field it names.
// Documents are the typed ones generated from the schema (web/src/generated/graphql, made by
// `npm run codegen`): `graphql(\`query X { ... }\`)` carries its result and variables types.
import type { DocumentTypeDecoration } from "@graphql-typed-document-node/core";
import { createClient, type Client } from "graphql-ws/client";
import { authHeaders, getToken } from "./auth";

export interface GraphQLErrorItem {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: string; field?: string; [key: string]: unknown };
}

export class GraphQLRequestError extends Error {
  constructor(readonly errors: GraphQLErrorItem[], readonly status?: number) {
    super(errors.map((e) => e.message).join("; ") || "Request failed");
    this.name = "GraphQLRequestError";
  }

  get code(): string | undefined {
    return this.errors[0]?.extensions?.code;
  }
}

export type Variables = Record<string, unknown>;

/**
 * A GraphQL document: a generated typed document, or (only for a query whose selection is
 * assembled at run time, such as the runs table's metric columns) a plain string.
 */
export type Document<TResult, TVariables> = (DocumentTypeDecoration<TResult, TVariables> & { toString(): string }) | string;

const HTTP_URL = "/graphql";

export async function request<T, V = Variables>(query: Document<T, V>, variables: V = {} as V, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(HTTP_URL, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json", ...authHeaders() },
      body: JSON.stringify({ query: String(query), variables }),
      signal,
    });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new GraphQLRequestError([{ message: `The server cannot be reached (${(error as Error).message})`, extensions: { code: "NETWORK" } }]);
  }
  let body: { data?: T; errors?: GraphQLErrorItem[] };
  try {
    body = await response.json();
  } catch {
    throw new GraphQLRequestError([{ message: `The server answered ${response.status} ${response.statusText}`, extensions: { code: "HTTP" } }], response.status);
  }
  if (body.errors?.length) throw new GraphQLRequestError(body.errors, response.status);
  if (!body.data) throw new GraphQLRequestError([{ message: "The server sent no data" }], response.status);
  return body.data;
}

// --- subscriptions ------------------------------------------------------------------

type Listener = () => void;
const reconnectListeners = new Set<Listener>();
const connectionListeners = new Set<(connected: boolean) => void>();
let connected = false;
let client: Client | null = null;

function wsUrl(): string {
  const url = new URL(HTTP_URL, window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

function setConnected(value: boolean) {
  if (connected === value) return;
  connected = value;
  for (const listener of connectionListeners) listener(value);
}

function wsClient(): Client {
  client ??= createClient({
    url: wsUrl(),
    lazy: true,
    // Subscriptions authenticate once, in connectionParams.authorization.
    connectionParams: () => {
      const token = getToken();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
    keepAlive: 15_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    on: {
      connected: (_socket, _payload, wasRetry) => {
        setConnected(true);
        // Events can be lost while disconnected: views refetch after a reconnect.
        if (wasRetry) for (const listener of reconnectListeners) listener();
      },
      closed: () => setConnected(false),
    },
  });
  return client;
}

export interface SubscriptionHandlers<T> {
  next: (data: T) => void;
  error?: (error: GraphQLRequestError) => void;
}

/** Subscribes; returns the unsubscribe function. */
export function subscribe<T, V = Variables>(query: Document<T, V>, variables: V, handlers: SubscriptionHandlers<T>): () => void {
  return wsClient().subscribe<T>(
    { query: String(query), variables: variables as Variables },
    {
      next: (result) => {
        if (result.errors?.length) handlers.error?.(new GraphQLRequestError(result.errors as unknown as GraphQLErrorItem[]));
        else if (result.data) handlers.next(result.data as T);
      },
      error: (error) => {
        const message = error instanceof Error ? error.message : Array.isArray(error) ? (error as GraphQLErrorItem[]).map((e) => e.message).join("; ") : "subscription closed";
        handlers.error?.(new GraphQLRequestError([{ message, extensions: { code: "SUBSCRIPTION" } }]));
      },
      complete: () => undefined,
    },
  );
}

export function onReconnect(listener: Listener): () => void {
  reconnectListeners.add(listener);
  return () => reconnectListeners.delete(listener);
}

export function onConnectionChange(listener: (connected: boolean) => void): () => void {
  connectionListeners.add(listener);
  return () => connectionListeners.delete(listener);
}

export const isConnected = () => connected;

// --- errors for forms -----------------------------------------------------------------

export interface FormErrors {
  /** Messages by form field (the API's extensions.field, e.g. "options.batchSize"). */
  fields: Record<string, string>;
  /** Messages that name no field of this form. */
  form: string[];
}

/**
 * Sorts API errors onto form fields. A field matches exactly or by prefix
 * ("benchmarks[1].dataPath" lands on "benchmarks" when only that field exists).
 */
export function formErrors(error: unknown, known: readonly string[]): FormErrors {
  const result: FormErrors = { fields: {}, form: [] };
  if (!(error instanceof GraphQLRequestError)) {
    result.form.push(error instanceof Error ? error.message : String(error));
    return result;
  }
  for (const item of error.errors) {
    // BAD_USER_INPUT names its field; GraphQL's own variable errors name a path in the message.
    const named = item.extensions?.field ?? /at "([^"]+)"/.exec(item.message)?.[1] ?? /^Variable "\$(\w+)"/.exec(item.message)?.[1];
    const field = named && named !== "input" ? named.replace(/^input\./, "") : named;
    const target = field
      ? known.find((k) => k === field) ??
        [...known].sort((a, b) => b.length - a.length).find((k) => field.startsWith(`${k}.`) || field.startsWith(`${k}[`))
      : undefined;
    const prefix = item.extensions?.code && item.extensions.code !== "BAD_USER_INPUT" && !target ? `${item.extensions.code}: ` : "";
    if (target) result.fields[target] = result.fields[target] ? `${result.fields[target]}; ${item.message}` : item.message;
    else result.form.push(prefix + item.message);
  }
  return result;
}
