// What this server's schema offers. The dashboard uses only the public API and some of
// it is optional (run logs, the pipeline mutation): ask the schema once, show what exists.
import { useEffect, useState } from "react";
import { graphql } from "./generated/graphql";
import { request } from "./graphql";

export interface Capabilities {
  queries: Set<string>;
  runFields: Set<string>;
  mutations: Set<string>;
  subscriptions: Set<string>;
}

const QUERY = graphql(`query Capabilities { run: __type(name: "Run") { fields { name } }
  __schema { queryType { fields { name } } mutationType { fields { name } } subscriptionType { fields { name } } } }`);

let cached: Promise<Capabilities> | null = null;

export function loadCapabilities(): Promise<Capabilities> {
  cached ??= request(QUERY).then(
    (data) => ({
      queries: new Set(data.__schema.queryType.fields?.map((f) => f.name) ?? []),
      runFields: new Set(data.run?.fields?.map((f) => f.name) ?? []),
      mutations: new Set(data.__schema.mutationType?.fields?.map((f) => f.name) ?? []),
      subscriptions: new Set(data.__schema.subscriptionType?.fields?.map((f) => f.name) ?? []),
    }),
    (error) => {
      cached = null;
      throw error;
    },
  );
  return cached;
}

/** null while loading (or when introspection is refused). */
export function useCapabilities(): Capabilities | null {
  const [caps, setCaps] = useState<Capabilities | null>(null);
  useEffect(() => {
    let live = true;
    loadCapabilities().then((c) => live && setCaps(c), () => undefined);
    return () => {
      live = false;
    };
  }, []);
  return caps;
}
