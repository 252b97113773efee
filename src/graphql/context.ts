// The per-request GraphQL context: the services (shared, stateless) and fresh
// DataLoaders. Nothing here outlives a request except the services themselves.
import type { Services } from "../services";
import type { Principal } from "../services/auth-service";
import type { EventBus } from "../events/event-bus";
import { createLoaders, type Loaders } from "./loaders";

export interface GraphQLContext {
  services: Services;
  /** Who is calling (src/services/auth-service.ts). */
  principal: Principal;
  events: EventBus;
  loaders: Loaders;
  /** Over WebSocket: aborted when the operation ends (complete, socket closed); ends its event streams. */
  signal?: AbortSignal;
  /**
   * The versions of the kept boards this request's leaderboards were answered from (null: one
   * built for the request alone); src/graphql/kept-answers.ts keeps an answer by them.
   */
  leaderboardVersions: (string | null)[];
}

export function createContext(
  services: Services,
  events: EventBus,
  principal: Principal,
  options: { cache?: boolean; signal?: AbortSignal } = {},
): GraphQLContext {
  return {
    services,
    events,
    principal,
    loaders: createLoaders(services.stores, options),
    leaderboardVersions: [],
    ...(options.signal ? { signal: options.signal } : {}),
  };
}
