// Which way a metric improves, when a column does not say: accuracy and TAR are better higher;
// time, losses and error rates lower. The leaderboard's best marks and the BEST aggregate read it.
import { SECONDS_PER_IMAGE } from "./metric-names";

export type MetricDirection = "HIGHER_IS_BETTER" | "LOWER_IS_BETTER";

const LOWER_IS_BETTER = new Set([SECONDS_PER_IMAGE, "eer", "fnmr", "frr", "far", "fmr"]);

export function defaultDirection(metric: string): MetricDirection {
  return LOWER_IS_BETTER.has(metric) || /(^|_)loss$|^loss/.test(metric) ? "LOWER_IS_BETTER" : "HIGHER_IS_BETTER";
}
