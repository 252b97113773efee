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
}

export function createContext(
  services: Services,
  events: EventBus,
  principal: Principal,
  options: { cache?: boolean } = {},
): GraphQLContext {
  return { services, events, principal, loaders: createLoaders(services.stores, options) };
}
