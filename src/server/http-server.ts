// One port for everything: GraphQL over HTTP (Apollo Server 5 on express) and
// graphql-ws subscriptions on the same http.Server.
import http from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import { expressMiddleware } from "@as-integrations/express5";
import { ApolloServerPluginCacheControlDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import express from "express";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { GraphQLError, parse } from "graphql";
import { AppError } from "../errors";
import { asksForIntrospection, introspectionRefused } from "../graphql/introspection";
import { assertInputBounds } from "../graphql/input-bounds";
import { assertWithinLimits, type QueryLimits } from "../graphql/query-limits";
import { compiledQueriesPlugin } from "../graphql/compiled-queries";
import { jsonErrors } from "./json-errors";
import { limitConnections, operationLifecycle, type WebSocketLimits } from "./websocket-limits";
import { ANONYMOUS, type Principal } from "../services/auth-service";
import { createContext, type GraphQLContext } from "../graphql/context";
import { formatError } from "../graphql/format-error";
import { buildSchema } from "../graphql/schema";
import { createKeptAnswers } from "../graphql/kept-answers";
import { createQueryAccess } from "../graphql/authorization";
import type { EventBus } from "../events/event-bus";
import type { Services } from "../services";

export interface HttpServerOptions {
  host: string;
  port: number;
  services: Services;
  events: EventBus;
  /** Extra routes (dashboard, exports) mounted before the GraphQL endpoint. */
  mount?: (app: express.Express) => void;
  limits: QueryLimits;
  /** Executions of a query document before graphql-jit compiles it; null: graphql-js only. */
  compileQueriesAfter?: number | null;
  websocket: WebSocketLimits;
  /** Resolves when the database answers (for /healthz); rejects otherwise. */
  checkDatabase: () => Promise<void>;
}

export interface RunningHttpServer {
  url: string;
  graphqlUrl: string;
  wsUrl: string;
  port: number;
  close(): Promise<void>;
}

const BODY_LIMIT = "5mb"; // ~10,000 metric points per logMetrics call fit comfortably
const BODY_LIMIT_BYTES = 5 * 1024 * 1024;
/** graphql-js parser bound: a query of more tokens is refused before it is parsed further (nesting costs stack). */
const MAX_QUERY_TOKENS = 20_000;
const HEALTH_TIMEOUT_MS = 2_000;


/**
 * graphql-ws accepts refusals from onSubscribe only as instances of the GraphQLError class it
 * loaded itself: Node resolves its `import "graphql"` to graphql's CommonJS build (graphql 16 has
 * no exports map), while a bundler-style loader (vitest) may give our code the ESM build. Errors
 * for the socket are therefore rebuilt with the CommonJS class.
 */
const SocketGraphQLError = createRequire(import.meta.url)("graphql").GraphQLError as typeof GraphQLError;
const forSocket = (errors: readonly GraphQLError[]) =>
  errors.map((e) => {
    const { http: _status, ...extensions } = e.extensions ?? {}; // an HTTP status means nothing on a socket
    return new SocketGraphQLError(e.message, { extensions });
  });

/** An invalid token is refused before the operation runs, with HTTP 401. */
async function principalOf(auth: Services["auth"], header: unknown): Promise<Principal> {
  try {
    return await auth.authenticate(header);
  } catch (error) {
    if (error instanceof AppError) {
      throw new GraphQLError(error.message, { extensions: { code: error.code, http: { status: 401 } } });
    }
    throw error;
  }
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const schema = buildSchema(options.services.kinds);
  const app = express();
  // No ETag: Express would hash every answer (SHA-1 over 3.5 MiB for a 3,000-row
  // leaderboard) for a header GraphQL POSTs never revalidate with.
  app.set("etag", false);
  const httpServer = http.createServer(app);
  const { auth } = options.services;

  const wsServer = new WebSocketServer({ server: httpServer, path: "/graphql", maxPayload: BODY_LIMIT_BYTES, verifyClient: (info, done) => connections.verifyClient(info, done) });
  const connections = limitConnections(wsServer, options.websocket);
  const operations = operationLifecycle(options.websocket);
  const wsCleanup = useServer(
    {
      schema,
      // Subscriptions authenticate once, in connectionParams.authorization.
      onConnect: async (ctx) => {
        try {
          (ctx.extra as { principal?: Principal }).principal = await auth.authenticate(ctx.connectionParams?.authorization);
          return true;
        } catch {
          return false; // closes with 4403 Forbidden
        }
      },
      // The same limits as HTTP (depth, cost, aliases...) for operations over the socket.
      onSubscribe: (ctx, _id, payload) => {
        const overCap = operations.admit(ctx.subscriptions);
        if (overCap) return forSocket(overCap);
        let document;
        try {
          document = parse(payload.query, { maxTokens: MAX_QUERY_TOKENS });
        } catch (error) {
          const message = error instanceof Error && (error as { locations?: unknown }).locations ? error.message : "the query could not be parsed";
          return forSocket([new GraphQLError(message, { extensions: { code: "GRAPHQL_PARSE_FAILED" } })]);
        }
        try {
          assertInputBounds(document, payload.variables);
          assertWithinLimits(schema, document, payload.variables ?? undefined, payload.operationName ?? undefined, options.limits);
        } catch (error) {
          return forSocket([error as GraphQLError]);
        }
        // INTROSPECTION=false holds over the socket too (Apollo applies it to HTTP only).
        if (!options.limits.introspection && asksForIntrospection(document)) {
          return forSocket([introspectionRefused()]);
        }
        return undefined; // graphql-ws then validates and subscribes as usual
      },
      context: (ctx, id) =>
        createContext(options.services, options.events, (ctx.extra as { principal?: Principal }).principal ?? ANONYMOUS, {
          cache: false,
          signal: operations.signalFor(ctx.extra, id),
        }),
      onOperation: (ctx, id, _payload, _args, result) => operations.wrap(ctx.extra, id, result),
      onComplete: (ctx, id) => operations.finish(ctx.extra, id),
      onClose: (ctx) => operations.finishAll(ctx.extra),
      onError: (_ctx, _id, _payload, errors) => {
        for (const error of errors) console.warn(`subscription error: ${error.message}`);
      },
    },
    wsServer,
  );

  // Leaderboard-only queries answered again from their kept JSON while the version holds.
  const keptAnswers = createKeptAnswers<GraphQLContext>({
    currentVersion: () => options.services.leaderboard.currentVersion(),
    versionsOf: (ctx) => ctx.leaderboardVersions,
    mayRead: createQueryAccess(options.services.kinds),
  });
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    stringifyResult: keptAnswers.stringifyResult,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: options.limits.introspection,
    allowBatchedHttpRequests: false,
    parseOptions: { maxTokens: MAX_QUERY_TOKENS },
    plugins: [
      {
        async requestDidStart() {
          return {
            // A request that failed only because of its input is a client error: HTTP 400, not 200
            // (a partial answer, with some data, stays 200 as GraphQL over HTTP asks).
            async willSendResponse({ response }) {
              if (response.body.kind !== "single") return;
              const { data, errors } = response.body.singleResult;
              if (data == null && errors?.length && errors.every((e) => e.extensions?.code === "BAD_USER_INPUT")) {
                response.http.status = 400;
              }
            },
            async didResolveOperation({ request, document }) {
              assertInputBounds(document, request.variables);
              assertWithinLimits(schema, document, request.variables, request.operationName, options.limits);
            },
          };
        },
      },
      // Before the compiled queries: a kept answer needs no execution at all.
      keptAnswers.plugin,
      compiledQueriesPlugin<GraphQLContext>({ compileAfter: options.compileQueriesAfter ?? null }),
      // We set no cache hints; the default cache-control plugin would still wrap every field.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      { async serverWillStart() { return { async drainServer() { await wsCleanup.dispose(); } }; } },
    ],
  });
  await apollo.start();

  // Healthy only when the database answers: a process manager or load balancer acts on 503.
  app.get("/healthz", async (_req, res) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${HEALTH_TIMEOUT_MS} ms`)), HEALTH_TIMEOUT_MS);
    });
    try {
      await Promise.race([options.checkDatabase(), timeout]);
      res.json({ ok: true, database: "ok" });
    } catch {
      res.status(503).json({ ok: false, database: "unreachable" });
    } finally {
      clearTimeout(timer);
    }
  });
  options.mount?.(app);
  app.use(
    "/graphql",
    express.json({ limit: BODY_LIMIT }),
    expressMiddleware(apollo, {
      context: async ({ req }) => createContext(options.services, options.events, await principalOf(auth, req.headers.authorization)),
    }),
  );
  // Last: any error a route or the body parser raised becomes JSON without internals.
  app.use(jsonErrors);

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(options.port, options.host, resolve);
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = options.host === "0.0.0.0" || options.host === "::" ? "localhost" : options.host;
  const url = `http://${host}:${port}`;
  return {
    url,
    graphqlUrl: `${url}/graphql`,
    wsUrl: `ws://${host}:${port}/graphql`,
    port,
    async close() {
      for (const client of wsServer.clients) client.close(1001, "server shutting down");
      await apollo.stop();
    },
  };
}
