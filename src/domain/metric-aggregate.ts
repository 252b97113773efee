// Aggregates of a metric over a run's steps, as the runs table offers them: LAST (the
// value at the highest step), BEST (MAX or MIN by the metric's direction), MIN, MAX, MEAN.
import type { StoredAggregate } from "../db/stores/run-list-sql";
import { defaultDirection } from "../services/leaderboard/input";

export const METRIC_AGGREGATES = ["LAST", "BEST", "MIN", "MAX", "MEAN"] as const;
export type MetricAggregate = (typeof METRIC_AGGREGATES)[number];

/** BEST becomes MAX for higher-is-better metrics (accuracy, TAR) and MIN for lower-is-better ones (losses, time, error rates). */
export function storedAggregate(metric: string, aggregate: MetricAggregate): StoredAggregate {
  if (aggregate !== "BEST") return aggregate;
  return defaultDirection(metric) === "LOWER_IS_BETTER" ? "MIN" : "MAX";
}
