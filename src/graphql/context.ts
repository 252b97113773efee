// The per-request GraphQL context: the services (shared, stateless) and fresh
// DataLoaders. Nothing here outlives a request except the services themselves.
import type { Services } from "../services";
import type { EventBus } from "../events/event-bus";
import { createLoaders, type Loaders } from "./loaders";

export interface GraphQLContext {
  services: Services;
  events: EventBus;
  loaders: Loaders;
}

export function createContext(services: Services, events: EventBus, options: { cache?: boolean } = {}): GraphQLContext {
  return { services, events, loaders: createLoaders(services.stores, options) };
}
