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
}

export interface RunningHttpServer {
  url: string;
  graphqlUrl: string;
  wsUrl: string;
  port: number;
  close(): Promise<void>;
}

const BODY_LIMIT = "5mb"; // ~10,000 metric points per logMetrics call fit comfortably

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const schema = buildSchema();
  const app = express();
  const httpServer = http.createServer(app);

  const wsServer = new WebSocketServer({ server: httpServer, path: "/graphql" });
  const wsCleanup = useServer(
    {
      schema,
      context: () => createContext(options.services, options.events, { cache: false }),
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
    plugins: [
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
    expressMiddleware(apollo, { context: async () => createContext(options.services, options.events) }),
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
