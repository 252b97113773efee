-- Per run x metric summary (issue 16): one row per (run_id, benchmark_id, name), the
-- benchmark NULL for metrics without one (system metrics, published averages), unique
-- with NULLS NOT DISTINCT like metric itself. Kept current inside the writing
-- transaction by statement-level triggers on metric, so every writer (logMetrics, the
-- workers, published-result imports, deletes and cascades) maintains it:
--   INSERT  -> incremental: counts and sums add, min/max widen, latest moves to a higher step;
--   UPDATE  -> sums move by the exact delta; latest, min and max are re-read from metric
--              (a re-log may lower a max);
--   DELETE  -> the same, and the row goes when no point is left.
-- run_metric_summary_rebuild() recomputes the whole table (npm run summaries:rebuild).
--
-- Columns: last_value/last_std/last_step = the point at the highest step; min_value,
-- max_value; count = points; sum and sum_sq of the values (mean = sum / count,
-- variance over steps = sum_sq / count - mean^2).

CREATE TABLE "run_metric_summary" (
  "id" BIGSERIAL NOT NULL,
  "run_id" UUID NOT NULL,
  "benchmark_id" UUID,
  "name" TEXT NOT NULL,
  "last_value" DOUBLE PRECISION NOT NULL,
  "last_std" DOUBLE PRECISION,
  "last_step" INTEGER NOT NULL,
  "min_value" DOUBLE PRECISION NOT NULL,
  "max_value" DOUBLE PRECISION NOT NULL,
  "count" INTEGER NOT NULL,
  "sum" DOUBLE PRECISION NOT NULL,
  "sum_sq" DOUBLE PRECISION NOT NULL,
  CONSTRAINT "run_metric_summary_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "run_metric_summary_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "run_metric_summary_benchmark_id_fkey" FOREIGN KEY ("benchmark_id") REFERENCES "benchmark"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE UNIQUE INDEX "run_metric_summary_run_id_benchmark_id_name_key" ON "run_metric_summary"("run_id", "benchmark_id", "name") NULLS NOT DISTINCT;
CREATE INDEX "run_metric_summary_benchmark_id_name_idx" ON "run_metric_summary"("benchmark_id", "name");

-- New points: folded into their summary rows.
CREATE FUNCTION run_metric_summary_after_insert() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO run_metric_summary AS s
    (run_id, benchmark_id, name, last_value, last_std, last_step, min_value, max_value, count, sum, sum_sq)
  SELECT n.run_id, n.benchmark_id, n.name,
         (array_agg(n.value ORDER BY n.step DESC))[1], (array_agg(n.std ORDER BY n.step DESC))[1], max(n.step),
         min(n.value), max(n.value), count(*)::int, sum(n.value), sum(n.value * n.value)
  FROM new_rows n
  GROUP BY n.run_id, n.benchmark_id, n.name
  -- One lock order for concurrent writers (as metrics-store's upsert).
  ORDER BY n.run_id, n.benchmark_id NULLS FIRST, n.name
  ON CONFLICT (run_id, benchmark_id, name) DO UPDATE SET
    last_value = CASE WHEN EXCLUDED.last_step >= s.last_step THEN EXCLUDED.last_value ELSE s.last_value END,
    last_std = CASE WHEN EXCLUDED.last_step >= s.last_step THEN EXCLUDED.last_std ELSE s.last_std END,
    last_step = GREATEST(s.last_step, EXCLUDED.last_step),
    min_value = LEAST(s.min_value, EXCLUDED.min_value),
    max_value = GREATEST(s.max_value, EXCLUDED.max_value),
    count = s.count + EXCLUDED.count,
    sum = s.sum + EXCLUDED.sum,
    sum_sq = s.sum_sq + EXCLUDED.sum_sq;
  RETURN NULL;
END
$$;

-- Changed or deleted points. INSERT ... ON CONFLICT DO UPDATE fires the UPDATE statement
-- trigger first and the INSERT one after it, both seeing the whole statement's result, so
-- each part must count every point once: count, sum and sum_sq move by the exact deltas of
-- the transition tables (additive), while latest, min and max are re-read from metric
-- (idempotent: the INSERT trigger's GREATEST / LEAST / higher-step rule agrees with them).
CREATE FUNCTION run_metric_summary_apply(runs UUID[], benchmarks UUID[], names TEXT[],
  counts INT[], sums FLOAT8[], sum_sqs FLOAT8[]) RETURNS VOID
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE run_metric_summary s
  SET count = s.count + d.count, sum = s.sum + d.sum, sum_sq = s.sum_sq + d.sum_sq,
      last_value = COALESCE(x.last_value, s.last_value), last_std = CASE WHEN x.last_step IS NULL THEN s.last_std ELSE x.last_std END,
      last_step = COALESCE(x.last_step, s.last_step),
      min_value = COALESCE(x.min_value, s.min_value), max_value = COALESCE(x.max_value, s.max_value)
  FROM unnest(runs, benchmarks, names, counts, sums, sum_sqs) AS d(run_id, benchmark_id, name, count, sum, sum_sq)
  CROSS JOIN LATERAL (
    SELECT (array_agg(m.value ORDER BY m.step DESC))[1] AS last_value, (array_agg(m.std ORDER BY m.step DESC))[1] AS last_std,
           max(m.step) AS last_step, min(m.value) AS min_value, max(m.value) AS max_value
    FROM metric m
    WHERE m.run_id = d.run_id AND m.name = d.name
      AND (m.benchmark_id = d.benchmark_id OR (m.benchmark_id IS NULL AND d.benchmark_id IS NULL))
  ) x
  WHERE s.run_id = d.run_id AND s.benchmark_id IS NOT DISTINCT FROM d.benchmark_id AND s.name = d.name;
  DELETE FROM run_metric_summary s WHERE s.run_id = ANY(runs) AND s.count <= 0;
END
$$;

CREATE FUNCTION run_metric_summary_after_update() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM run_metric_summary_apply(array_agg(d.run_id), array_agg(d.benchmark_id), array_agg(d.name),
                                   array_agg(0), array_agg(d.sum), array_agg(d.sum_sq))
  FROM (
    SELECT n.run_id, n.benchmark_id, n.name, sum(n.value - o.value) AS sum, sum(n.value * n.value - o.value * o.value) AS sum_sq
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    GROUP BY 1, 2, 3
  ) d;
  RETURN NULL;
END
$$;

CREATE FUNCTION run_metric_summary_after_delete() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM run_metric_summary_apply(array_agg(d.run_id), array_agg(d.benchmark_id), array_agg(d.name),
                                   array_agg(d.count), array_agg(d.sum), array_agg(d.sum_sq))
  FROM (
    SELECT o.run_id, o.benchmark_id, o.name, -count(*)::int AS count, -sum(o.value) AS sum, -sum(o.value * o.value) AS sum_sq
    FROM old_rows o
    GROUP BY 1, 2, 3
  ) d;
  RETURN NULL;
END
$$;

CREATE TRIGGER run_metric_summary_on_insert AFTER INSERT ON metric
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION run_metric_summary_after_insert();
CREATE TRIGGER run_metric_summary_on_update AFTER UPDATE ON metric
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION run_metric_summary_after_update();
CREATE TRIGGER run_metric_summary_on_delete AFTER DELETE ON metric
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION run_metric_summary_after_delete();

-- The whole table from metric (the rebuild command; also the backfill of existing rows).
CREATE FUNCTION run_metric_summary_rebuild() RETURNS VOID
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM run_metric_summary;
  INSERT INTO run_metric_summary (run_id, benchmark_id, name, last_value, last_std, last_step, min_value, max_value, count, sum, sum_sq)
  SELECT m.run_id, m.benchmark_id, m.name,
         (array_agg(m.value ORDER BY m.step DESC))[1], (array_agg(m.std ORDER BY m.step DESC))[1], max(m.step),
         min(m.value), max(m.value), count(*)::int, sum(m.value), sum(m.value * m.value)
  FROM metric m
  GROUP BY m.run_id, m.benchmark_id, m.name;
END
$$;

SELECT run_metric_summary_rebuild();
