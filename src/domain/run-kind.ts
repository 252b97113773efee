// A run kind's name, as the database, the queue, events and executors know it. The kinds
// themselves (params, launch, job) are modules in src/kinds/; this leaf holds only the name, so
// low layers (stores, events, executors) need not import the kind modules above them.

/** A run kind's name: what run.kind holds and the GraphQL RunKind enum lists. */
export type RunKind = string;

/** Upper-case letters, digits and '_' (a GraphQL enum value; checked in SQL too). */
export const RUN_KIND_NAME = /^[A-Z][A-Z0-9_]{0,39}$/;
