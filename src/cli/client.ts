// The CLI's GraphQL client: queries and mutations over HTTP (fetch), subscriptions
// over graphql-ws on the same URL (http -> ws, https -> wss). A token, when given,
// travels as `Authorization: Bearer <token>` and as connectionParams.authorization.
import type { DocumentTypeDecoration } from "@graphql-typed-document-node/core";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { ApiError, ConnectionError, type GraphQLErrorShape } from "./errors";

export const DEFAULT_URL = "http://localhost:4000/graphql";
const REQUEST_TIMEOUT_MS = 120_000;

type Variables = Record<string, unknown>;

/**
 * A GraphQL document: a typed document generated from the schema (src/generated/graphql/cli,
 * `graphql(\`query X { ... }\`)`, made by `npm run codegen`), or a plain string.
 */
export type Document<TResult, TVariables> = (DocumentTypeDecoration<TResult, TVariables> & { toString(): string }) | string;

export interface ClientSettings {
  url: string;
  token?: string;
}

export interface SubscriptionSink<T> {
  next(data: T): void;
  error(error: unknown): void;
}

export class GraphQLClient {
  private socket: Client | null = null;

  constructor(readonly settings: ClientSettings) {}

  get url(): string {
    return this.settings.url;
  }

  get wsUrl(): string {
    return this.settings.url.replace(/^http(s?):/i, (_m, s: string) => `ws${s}:`);
  }

  private get authorization(): string | undefined {
    return this.settings.token ? `Bearer ${this.settings.token}` : undefined;
  }

  /** Runs a query or mutation; throws ApiError on GraphQL errors, ConnectionError when nothing usable answered. */
  async request<T = any, V = Variables>(query: Document<T, V>, variables: V = {} as V): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/graphql-response+json, application/json",
          ...(this.authorization ? { authorization: this.authorization } : {}),
        },
        body: JSON.stringify({ query: String(query), variables }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new ConnectionError(`cannot reach ${this.url}: ${networkReason(error)}`);
    }
    const text = await response.text().catch(() => "");
    let body: { data?: T | null; errors?: GraphQLErrorShape[] } | null = null;
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
    if (body && Array.isArray(body.errors) && body.errors.length) throw new ApiError(body.errors);
    if (!body || body.data == null) {
      if (response.status === 401 || response.status === 403) {
        throw new ApiError([{ message: `the server refused the request (HTTP ${response.status}); check --token / REALISMLAB_TOKEN`, extensions: { code: response.status === 401 ? "UNAUTHENTICATED" : "FORBIDDEN" } }]);
      }
      throw new ConnectionError(`${this.url} answered HTTP ${response.status} without GraphQL data; is it a RealismLab /graphql endpoint?`);
    }
    return body.data;
  }

  /** Subscribes over graphql-ws (one socket per client, opened on first use). Returns the unsubscribe function. */
  subscribe<T = any, V = Variables>(query: Document<T, V>, variables: V, sink: SubscriptionSink<T>): () => void {
    return this.ws().subscribe<T>(
      { query: String(query), variables: variables as Variables },
      {
        next: (result) => {
          if (result.errors?.length) sink.error(new ApiError(result.errors as GraphQLErrorShape[]));
          else if (result.data) sink.next(result.data as T);
        },
        error: (error) => sink.error(this.socketError(error)),
        complete: () => undefined,
      },
    );
  }

  private ws(): Client {
    if (!this.socket) {
      const authorization = this.authorization;
      this.socket = createClient({
        url: this.wsUrl,
        webSocketImpl: WebSocket,
        lazy: true,
        retryAttempts: 5,
        // 4403: the server refused our token; retrying will not help.
        shouldRetry: (event) => !(isCloseEvent(event) && (event.code === 4403 || event.code === 4401)),
        ...(authorization ? { connectionParams: { authorization } } : {}),
      });
    }
    return this.socket;
  }

  private socketError(error: unknown): Error {
    if (Array.isArray(error)) return new ApiError(error as GraphQLErrorShape[]);
    if (isCloseEvent(error)) {
      if (error.code === 4403 || error.code === 4401) {
        return new ApiError([{ message: `the server refused the subscription connection (${error.code} ${error.reason || "Forbidden"}); check --token / REALISMLAB_TOKEN`, extensions: { code: "UNAUTHENTICATED" } }]);
      }
      return new ConnectionError(`subscription connection to ${this.wsUrl} closed (${error.code}${error.reason ? ` ${error.reason}` : ""})`);
    }
    return new ConnectionError(`cannot reach ${this.wsUrl}: ${networkReason(error)}`);
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    await socket?.dispose();
  }
}

function isCloseEvent(value: unknown): value is { code: number; reason: string } {
  return typeof value === "object" && value !== null && "code" in value && typeof (value as { code: unknown }).code === "number" && "reason" in value;
}

function networkReason(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === "TimeoutError") return `no answer in ${REQUEST_TIMEOUT_MS / 1000} s`;
    const cause = (error as Error & { cause?: unknown }).cause;
    if (cause instanceof Error) {
      const code = (cause as Error & { code?: string }).code;
      if (cause.name === "AggregateError" && Array.isArray((cause as AggregateError).errors)) {
        const first = (cause as AggregateError).errors[0] as Error & { code?: string };
        return first?.code ?? first?.message ?? cause.message;
      }
      return code ? `${code}${cause.message && !cause.message.includes(code) ? ` (${cause.message})` : ""}` : cause.message;
    }
    return error.message;
  }
  if (typeof error === "object" && error && "message" in error) return String((error as { message: unknown }).message);
  return String(error);
}
