-- Runs table sorted by a metric (issue 16): the runs in the order of one metric's latest,
-- min or max value walk these indexes (benchmark, metric, value, run) a window at a time
-- instead of computing the value of every run and sorting them all. The plan is the obvious
-- one whatever the statistics (src/db/stores/runs-store.ts, pageFromMetricIndex).
CREATE INDEX "run_metric_summary_benchmark_id_name_last_value_run_id_idx" ON "run_metric_summary"("benchmark_id", "name", "last_value", "run_id");
CREATE INDEX "run_metric_summary_benchmark_id_name_min_value_run_id_idx" ON "run_metric_summary"("benchmark_id", "name", "min_value", "run_id");
CREATE INDEX "run_metric_summary_benchmark_id_name_max_value_run_id_idx" ON "run_metric_summary"("benchmark_id", "name", "max_value", "run_id");
