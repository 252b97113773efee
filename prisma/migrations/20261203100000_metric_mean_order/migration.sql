-- Runs table sorted by a metric's mean over its steps (issue 16): like the latest, min and
-- max orders (20261201130000_metric_value_order), the runs in the order of one metric's mean
-- walk this index a window at a time instead of computing every run's mean and sorting them
-- all. The expression reads exactly as the store's (src/db/stores/runs-store.ts, INDEXED_VALUE),
-- so the planner matches it. A committed summary row has count > 0, but deleting points
-- first brings a row's count to 0 and then deletes the row, in one statement: NULLIF keeps
-- that step from dividing by zero.
CREATE INDEX "run_metric_summary_benchmark_id_name_mean_run_id_idx" ON "run_metric_summary"("benchmark_id", "name", ("sum" / NULLIF("count", 0)), "run_id");
