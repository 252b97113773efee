// One port for everything: GraphQL over HTTP (Apollo Server 5 on express) and
// graphql-ws subscriptions on the same http.Server.
import http from "node:http";
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
import { assertWithinLimits, type QueryLimits } from "../graphql/query-limits";
import { ANONYMOUS, type Principal } from "../services/auth-service";
import { createContext, type GraphQLContext } from "../graphql/context";
import { formatError } from "../graphql/format-error";
import { buildSchema } from "../graphql/schema";
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
  const schema = buildSchema();
  const app = express();
  const httpServer = http.createServer(app);


  const { auth } = options.services;

  const wsServer = new WebSocketServer({ server: httpServer, path: "/graphql", maxPayload: BODY_LIMIT_BYTES });
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
      onSubscribe: (_ctx, _id, payload) => {
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error as GraphQLError];
        }
        try {
          assertWithinLimits(schema, document, payload.variables ?? undefined, payload.operationName ?? undefined, options.limits);
        } catch (error) {
          return [error as GraphQLError];
        }
        // INTROSPECTION=false holds over the socket too (Apollo applies it to HTTP only).
        if (!options.limits.introspection && asksForIntrospection(document)) {
          return [introspectionRefused()];
        }
        return undefined; // graphql-ws then validates and subscribes as usual
      },
      context: (ctx) =>
        createContext(options.services, options.events, (ctx.extra as { principal?: Principal }).principal ?? ANONYMOUS, { cache: false }),
      onError: (_ctx, _id, _payload, errors) => {
        for (const error of errors) console.warn(`subscription error: ${error.message}`);
      },
    },
    wsServer,
  );

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: options.limits.introspection,
    allowBatchedHttpRequests: false,
    plugins: [
      {
        async requestDidStart() {
          return {
            async didResolveOperation({ request, document }) {
              assertWithinLimits(schema, document, request.variables, request.operationName, options.limits);
            },
          };
        },
      },
      // We set no cache hints; the default cache-control plugin would still wrap every field.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      { async serverWillStart() { return { async drainServer() { await wsCleanup.dispose(); } }; } },
    ],
  });
  await apollo.start();

  app.get("/healthz", (_req, res) => {
    res.json({ ok: true });
  });
  options.mount?.(app);
  app.use(
    "/graphql",
    express.json({ limit: BODY_LIMIT }),
    expressMiddleware(apollo, {
      context: async ({ req }) => createContext(options.services, options.events, await principalOf(auth, req.headers.authorization)),
    }),
  );

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
