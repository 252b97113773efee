// Typed event topics. Each travels as a Postgres NOTIFY on one channel, so every
// API process and worker sees every event (payloads stay well under 8 kB).
import type { RunStatus } from "../generated/prisma/enums";
import type { RunKind } from "../domain/run-kind";

export const EVENTS_CHANNEL = "realismlab_events";

export interface RunUpdatedEvent {
  runId: string;
  kind: RunKind;
  status: RunStatus;
  group: string | null;
  /** Set when the run was archived or restored (its status did not change). */
  visibility?: "ARCHIVED" | "RESTORED";
}

export interface RunProgressEvent {
  runId: string;
  done: number | null;
  total: number | null;
  phase: string | null;
  rate: number | null;
  etaSeconds: number | null;
  /** Milliseconds since the epoch when the progress was written (for delay measurement). */
  at: number;
}

export interface MetricLoggedEvent {
  runId: string;
  count: number;
  names: string[];
}

export interface RunLogEvent {
  runId: string;
  lines: Array<{ stream: string; line: string }>;
}

export interface PipelineUpdatedEvent {
  pipelineId: string;
  status: string;
}

export interface EventMap {
  runUpdated: RunUpdatedEvent;
  runProgress: RunProgressEvent;
  metricLogged: MetricLoggedEvent;
  runLog: RunLogEvent;
  pipelineUpdated: PipelineUpdatedEvent;
}

export type Topic = keyof EventMap;

export interface EventEnvelope<T extends Topic = Topic> {
  topic: T;
  payload: EventMap[T];
}
