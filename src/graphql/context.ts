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
}

export function createContext(
  services: Services,
  events: EventBus,
  principal: Principal,
  options: { cache?: boolean; signal?: AbortSignal } = {},
): GraphQLContext {
  return { services, events, principal, loaders: createLoaders(services.stores, options), ...(options.signal ? { signal: options.signal } : {}) };
}
