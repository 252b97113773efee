// Aggregates of a metric over a run's steps, as the runs table offers them: LAST (the
// value at the highest step), BEST (MAX or MIN by the metric's direction), MIN, MAX, MEAN.
import { defaultDirection } from "./metric-direction";

export const METRIC_AGGREGATES = ["LAST", "BEST", "MIN", "MAX", "MEAN"] as const;
export type MetricAggregate = (typeof METRIC_AGGREGATES)[number];
/** What run_metric_summary holds a value for (BEST is read as MIN or MAX). */
export type StoredAggregate = "LAST" | "MIN" | "MAX" | "MEAN";

/** BEST becomes MAX for higher-is-better metrics (accuracy, TAR) and MIN for lower-is-better ones (losses, time, error rates). */
export function storedAggregate(metric: string, aggregate: MetricAggregate): StoredAggregate {
  if (aggregate !== "BEST") return aggregate;
  return defaultDirection(metric) === "LOWER_IS_BETTER" ? "MIN" : "MAX";
}
