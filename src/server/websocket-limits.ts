// Caps and clean-up for the graphql-ws endpoint: at most `maxConnectionsPerClient` open
// sockets per remote address, at most `maxSubscriptionsPerConnection` operations per socket,
// and every operation's resources freed when it ends, however it ends.
//
// Why the abort: a subscription resolver is an async generator parked in `for await` over the
// event bus. graphql-ws ends it with `return()`, but an async generator only acts on return()
// after its pending `next()` settles, i.e. after the next matching event, which may never come.
// Its event-bus listener, context and socket then stayed reachable for good (the RSS that
// grew with every round of subscriptions). Each operation therefore gets an AbortSignal (in its
// context); aborting it ends the event-bus iterator at once, so return() completes.
import type { IncomingMessage } from "node:http";
import { GraphQLError } from "graphql";
import type { WebSocket, WebSocketServer } from "ws";

export interface WebSocketLimits {
  maxConnectionsPerClient: number;
  maxSubscriptionsPerConnection: number;
}

interface SocketExtra {
  operations?: Map<string, AbortController>;
}

export function clientAddress(request: IncomingMessage): string {
  return request.socket.remoteAddress ?? "unknown";
}

/** Refuses the WebSocket upgrade (HTTP 429) for a client already holding its share of sockets. */
export function limitConnections(wsServer: WebSocketServer, limits: WebSocketLimits) {
  const open = new Map<string, number>();
  wsServer.on("connection", (socket: WebSocket, request: IncomingMessage) => {
    const address = clientAddress(request);
    open.set(address, (open.get(address) ?? 0) + 1);
    socket.once("close", () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
  return {
    verifyClient(info: { req: IncomingMessage }, done: (ok: boolean, code?: number, message?: string) => void) {
      const count = open.get(clientAddress(info.req)) ?? 0;
      if (count >= limits.maxConnectionsPerClient) {
        done(false, 429, `too many WebSocket connections from this address (limit ${limits.maxConnectionsPerClient})`);
      } else done(true);
    },
    openConnections: (address: string) => open.get(address) ?? 0,
  };
}

/** The per-operation part: a signal per operation, the per-socket cap, and aborts on every ending. */
export function operationLifecycle(limits: WebSocketLimits) {
  const operationsOf = (extra: unknown) => {
    const holder = extra as SocketExtra;
    holder.operations ??= new Map();
    return holder.operations;
  };
  const finish = (extra: unknown, id: string) => {
    const operations = operationsOf(extra);
    operations.get(id)?.abort();
    operations.delete(id);
  };
  return {
    /** Errors for an operation over the cap (graphql-ws registers it in `subscriptions` before onSubscribe). */
    admit(subscriptions: Record<string, unknown>): GraphQLError[] | undefined {
      const count = Object.keys(subscriptions).length;
      if (count <= limits.maxSubscriptionsPerConnection) return undefined;
      return [
        new GraphQLError(`too many operations on this connection (limit ${limits.maxSubscriptionsPerConnection}); complete some or open another connection`, {
          extensions: { code: "BAD_USER_INPUT", field: "subscriptions" },
        }),
      ];
    },
    /** The signal that ends this operation's event streams. */
    signalFor(extra: unknown, id: string): AbortSignal {
      const controller = new AbortController();
      operationsOf(extra).set(id, controller);
      return controller.signal;
    },
    /** Wraps an operation's async iterator so that `return()` aborts it first. */
    wrap<T>(extra: unknown, id: string, result: T): T {
      const iterator = result as unknown as AsyncGenerator;
      if (!iterator || typeof iterator !== "object" || typeof iterator.return !== "function") return result;
      const wrapped = {
        next: (...args: [] | [unknown]) => iterator.next(...args),
        throw: (error: unknown) => iterator.throw(error),
        return: (value?: unknown) => {
          finish(extra, id);
          return iterator.return(value);
        },
        [Symbol.asyncIterator]() {
          return this;
        },
      };
      return wrapped as unknown as T;
    },
    finish,
    /** The socket closed: end whatever it still runs. */
    finishAll(extra: unknown): void {
      const operations = operationsOf(extra);
      for (const controller of operations.values()) controller.abort();
      operations.clear();
    },
  };
}
