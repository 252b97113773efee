-- Leaderboard group summaries (issue 16): the default leaderboard's rows precomputed.
-- A group is the runs that count on a leaderboard (SUCCEEDED EVALUATE runs, none of
-- run / dataset / method archived) sharing (source, config_key, group_name): the
-- default grouping's key (src/db/stores/leaderboard-store.ts, byIdentity); without
-- `group` the leaderboard adds the groups of one (source, config_key) together, which
-- the additive sums below allow.
--
--   leaderboard_group         one row per group: run counts, first/last run time, one
--                             representative run (its config labels the row), the
--                             dataset / method / effective kind / requirement when the
--                             same for every run (else NULL).
--   leaderboard_group_metric  per group x benchmark metric, over the runs' summaries
--                             (run_metric_summary): n and sum / sum of squares of the
--                             run values for each aggregate: last, min, max, mean over
--                             steps; n_std / sum_std of the latest point's stored std;
--                             odd = runs that evaluated this benchmark off-protocol.
--   leaderboard_group_pair    per group and pair of benchmark metrics a <= b, over the
--                             runs having both: sum of last_a * last_b. With the
--                             per-metric sums this gives the mean and std of each run's
--                             average over any set of columns.
--
-- Maintenance: statement-level triggers collect the group keys a write touches (runs
-- entering or leaving the leaderboard, re-keyed by lineage, renamed groups, archived
-- datasets or methods, changed run summaries) and leaderboard_group_refresh recomputes
-- exactly those groups from run + run_metric_summary, in the writing transaction. The
-- group row is upserted first, so concurrent refreshes of one group queue on its lock.
-- leaderboard_group_rebuild() recomputes everything (npm run summaries:rebuild).

CREATE TABLE "leaderboard_group" (
  "id" BIGSERIAL NOT NULL,
  "source" TEXT,
  "config_key" TEXT,
  "group_name" TEXT,
  "run_count" INTEGER NOT NULL,
  "published_count" INTEGER NOT NULL,
  "first_at" TIMESTAMPTZ(3) NOT NULL,
  "last_at" TIMESTAMPTZ(3) NOT NULL,
  "rep_run_id" UUID NOT NULL,
  "dataset_id" UUID,
  "transfer_method_id" UUID,
  "kind" "DatasetKind",
  "requirement" "Requirement",
  CONSTRAINT "leaderboard_group_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "leaderboard_group_source_config_key_group_name_key" ON "leaderboard_group"("source", "config_key", "group_name") NULLS NOT DISTINCT;

CREATE TABLE "leaderboard_group_metric" (
  "group_id" BIGINT NOT NULL,
  "benchmark_id" UUID NOT NULL,
  "name" TEXT NOT NULL,
  "n" INTEGER NOT NULL,
  "sum_last" DOUBLE PRECISION NOT NULL,
  "sum_sq_last" DOUBLE PRECISION NOT NULL,
  "sum_min" DOUBLE PRECISION NOT NULL,
  "sum_sq_min" DOUBLE PRECISION NOT NULL,
  "sum_max" DOUBLE PRECISION NOT NULL,
  "sum_sq_max" DOUBLE PRECISION NOT NULL,
  "sum_mean" DOUBLE PRECISION NOT NULL,
  "sum_sq_mean" DOUBLE PRECISION NOT NULL,
  "n_std" INTEGER NOT NULL,
  "sum_std" DOUBLE PRECISION,
  "odd" INTEGER NOT NULL,
  CONSTRAINT "leaderboard_group_metric_pkey" PRIMARY KEY ("group_id", "benchmark_id", "name"),
  CONSTRAINT "leaderboard_group_metric_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "leaderboard_group"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "leaderboard_group_metric_benchmark_id_fkey" FOREIGN KEY ("benchmark_id") REFERENCES "benchmark"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "leaderboard_group_metric_benchmark_id_name_idx" ON "leaderboard_group_metric"("benchmark_id", "name");

CREATE TABLE "leaderboard_group_pair" (
  "group_id" BIGINT NOT NULL,
  "a_benchmark_id" UUID NOT NULL,
  "a_name" TEXT NOT NULL,
  "b_benchmark_id" UUID NOT NULL,
  "b_name" TEXT NOT NULL,
  "n" INTEGER NOT NULL,
  "sum_product" DOUBLE PRECISION NOT NULL,
  CONSTRAINT "leaderboard_group_pair_pkey" PRIMARY KEY ("group_id", "a_benchmark_id", "a_name", "b_benchmark_id", "b_name"),
  CONSTRAINT "leaderboard_group_pair_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "leaderboard_group"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- Recomputes the groups (sources[i], keys[i], groups[i]) from run + run_metric_summary.
CREATE FUNCTION leaderboard_group_refresh(sources TEXT[], keys TEXT[], groups TEXT[]) RETURNS VOID
LANGUAGE plpgsql AS $$
DECLARE
  k RECORD;
  gid BIGINT;
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS leaderboard_group_runs (id UUID, created_at TIMESTAMPTZ(3), source TEXT, dataset_id UUID,
    transfer_method_id UUID, non_standard JSONB, eff_kind "DatasetKind", eff_req "Requirement") ON COMMIT DROP;
  FOR k IN
    SELECT DISTINCT u.source, u.config_key, u.group_name FROM unnest(sources, keys, groups) AS u(source, config_key, group_name)
    ORDER BY 1, 2, 3
  LOOP
    DELETE FROM leaderboard_group_runs;
    INSERT INTO leaderboard_group_runs
    SELECT r.id, r.created_at, r.source, r.dataset_id, r.transfer_method_id, r.config -> 'evaluate.nonStandard',
           CASE WHEN r.transfer_method_id IS NOT NULL THEN 'REALISM_TRANSFERRED'::"DatasetKind" ELSE d.kind END,
           GREATEST(COALESCE(d.requirement, sd.requirement), tm.requirement)
    FROM run r
    LEFT JOIN dataset d ON d.id = r.dataset_id
    LEFT JOIN dataset sd ON sd.id = d.source_dataset_id
    LEFT JOIN transfer_method tm ON tm.id = r.transfer_method_id
    WHERE r.config_key = k.config_key AND r.source IS NOT DISTINCT FROM k.source
      AND r.group_name IS NOT DISTINCT FROM k.group_name
      AND r.kind = 'EVALUATE' AND r.status = 'SUCCEEDED'
      AND r.archived_at IS NULL AND d.archived_at IS NULL AND tm.archived_at IS NULL;

    IF NOT EXISTS (SELECT 1 FROM leaderboard_group_runs) THEN
      DELETE FROM leaderboard_group g
      WHERE g.source IS NOT DISTINCT FROM k.source AND g.config_key IS NOT DISTINCT FROM k.config_key
        AND g.group_name IS NOT DISTINCT FROM k.group_name;
      CONTINUE;
    END IF;

    INSERT INTO leaderboard_group AS g (source, config_key, group_name, run_count, published_count, first_at, last_at,
      rep_run_id, dataset_id, transfer_method_id, kind, requirement)
    SELECT k.source, k.config_key, k.group_name, count(*)::int, count(*) FILTER (WHERE x.source IS NOT NULL)::int,
           min(x.created_at), max(x.created_at), min(x.id::text)::uuid,
           CASE WHEN min(x.dataset_id::text) = max(x.dataset_id::text) AND count(x.dataset_id) = count(*) THEN min(x.dataset_id::text)::uuid END,
           CASE WHEN min(x.transfer_method_id::text) = max(x.transfer_method_id::text) AND count(x.transfer_method_id) = count(*) THEN min(x.transfer_method_id::text)::uuid END,
           CASE WHEN min(x.eff_kind) = max(x.eff_kind) AND count(x.eff_kind) = count(*) THEN min(x.eff_kind) END,
           CASE WHEN min(x.eff_req) = max(x.eff_req) AND count(x.eff_req) = count(*) THEN min(x.eff_req) END
    FROM leaderboard_group_runs x
    ON CONFLICT (source, config_key, group_name) DO UPDATE SET
      run_count = EXCLUDED.run_count, published_count = EXCLUDED.published_count, first_at = EXCLUDED.first_at,
      last_at = EXCLUDED.last_at, rep_run_id = EXCLUDED.rep_run_id, dataset_id = EXCLUDED.dataset_id,
      transfer_method_id = EXCLUDED.transfer_method_id, kind = EXCLUDED.kind, requirement = EXCLUDED.requirement
    RETURNING g.id INTO gid;

    DELETE FROM leaderboard_group_metric WHERE group_id = gid;
    DELETE FROM leaderboard_group_pair WHERE group_id = gid;
    INSERT INTO leaderboard_group_metric (group_id, benchmark_id, name, n, sum_last, sum_sq_last, sum_min, sum_sq_min,
      sum_max, sum_sq_max, sum_mean, sum_sq_mean, n_std, sum_std, odd)
    SELECT gid, s.benchmark_id, s.name, count(*)::int,
           sum(s.last_value), sum(s.last_value * s.last_value), sum(s.min_value), sum(s.min_value * s.min_value),
           sum(s.max_value), sum(s.max_value * s.max_value),
           sum(s.sum / s.count), sum((s.sum / s.count) * (s.sum / s.count)),
           count(s.last_std)::int, sum(s.last_std),
           count(*) FILTER (WHERE x.non_standard ? b.name)::int
    -- LATERAL: one index range per run, whatever the statistics say (the tables may never
    -- have been analyzed right after a bulk load). count 0: a row whose last point was
    -- just deleted (it goes in the same statement's function).
    FROM leaderboard_group_runs x
    CROSS JOIN LATERAL (SELECT * FROM run_metric_summary q WHERE q.run_id = x.id AND q.count > 0 AND q.benchmark_id IS NOT NULL) s
    JOIN benchmark b ON b.id = s.benchmark_id
    GROUP BY s.benchmark_id, s.name;
    INSERT INTO leaderboard_group_pair (group_id, a_benchmark_id, a_name, b_benchmark_id, b_name, n, sum_product)
    SELECT gid, a.benchmark_id, a.name, b.benchmark_id, b.name, count(*)::int, sum(a.last_value * b.last_value)
    FROM leaderboard_group_runs x
    CROSS JOIN LATERAL (
      SELECT array_agg(q.benchmark_id) AS bs, array_agg(q.name) AS ns, array_agg(q.last_value) AS vs
      FROM run_metric_summary q WHERE q.run_id = x.id AND q.count > 0 AND q.benchmark_id IS NOT NULL
    ) r
    CROSS JOIN LATERAL unnest(r.bs, r.ns, r.vs) AS a(benchmark_id, name, last_value)
    CROSS JOIN LATERAL unnest(r.bs, r.ns, r.vs) AS b(benchmark_id, name, last_value)
    WHERE (a.benchmark_id, a.name) <= (b.benchmark_id, b.name)
    GROUP BY a.benchmark_id, a.name, b.benchmark_id, b.name;
  END LOOP;
END
$$;

-- Runs a write touched (old and new rows) that may count on a leaderboard: their groups.
CREATE FUNCTION leaderboard_group_after_run_write() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM leaderboard_group_refresh(array_agg(n.source), array_agg(n.config_key), array_agg(n.group_name))
    FROM new_rows n WHERE n.kind = 'EVALUATE' AND n.status = 'SUCCEEDED'
    HAVING count(*) > 0;
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM leaderboard_group_refresh(array_agg(o.source), array_agg(o.config_key), array_agg(o.group_name))
    FROM old_rows o WHERE o.kind = 'EVALUATE' AND o.status = 'SUCCEEDED'
    HAVING count(*) > 0;
  ELSE
    -- Heartbeats and progress of running runs end here at the cost of one join.
    PERFORM leaderboard_group_refresh(array_agg(c.source), array_agg(c.config_key), array_agg(c.group_name))
    FROM (
      SELECT o.source, o.config_key, o.group_name FROM old_rows o JOIN new_rows n ON n.id = o.id
      WHERE ((o.kind = 'EVALUATE' AND o.status = 'SUCCEEDED') OR (n.kind = 'EVALUATE' AND n.status = 'SUCCEEDED'))
        AND (o.status, o.kind, o.archived_at, o.config_key, o.source, o.group_name, o.dataset_id, o.transfer_method_id, o.created_at, o.config)
            IS DISTINCT FROM (n.status, n.kind, n.archived_at, n.config_key, n.source, n.group_name, n.dataset_id, n.transfer_method_id, n.created_at, n.config)
      UNION
      SELECT n.source, n.config_key, n.group_name FROM old_rows o JOIN new_rows n ON n.id = o.id
      WHERE ((o.kind = 'EVALUATE' AND o.status = 'SUCCEEDED') OR (n.kind = 'EVALUATE' AND n.status = 'SUCCEEDED'))
        AND (o.status, o.kind, o.archived_at, o.config_key, o.source, o.group_name, o.dataset_id, o.transfer_method_id, o.created_at, o.config)
            IS DISTINCT FROM (n.status, n.kind, n.archived_at, n.config_key, n.source, n.group_name, n.dataset_id, n.transfer_method_id, n.created_at, n.config)
    ) c
    HAVING count(*) > 0;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER leaderboard_group_on_run_insert AFTER INSERT ON run
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_group_after_run_write();
CREATE TRIGGER leaderboard_group_on_run_update AFTER UPDATE ON run
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_group_after_run_write();
CREATE TRIGGER leaderboard_group_on_run_delete AFTER DELETE ON run
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_group_after_run_write();

-- Changed run summaries: the groups of their runs, when those count on a leaderboard.
CREATE FUNCTION leaderboard_group_after_summary_write() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM leaderboard_group_refresh(array_agg(r.source), array_agg(r.config_key), array_agg(r.group_name))
    FROM run r WHERE r.id IN (SELECT o.run_id FROM old_rows o) AND r.kind = 'EVALUATE' AND r.status = 'SUCCEEDED'
    HAVING count(*) > 0;
  ELSE
    PERFORM leaderboard_group_refresh(array_agg(r.source), array_agg(r.config_key), array_agg(r.group_name))
    FROM run r WHERE r.id IN (SELECT n.run_id FROM new_rows n) AND r.kind = 'EVALUATE' AND r.status = 'SUCCEEDED'
    HAVING count(*) > 0;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER leaderboard_group_on_summary_insert AFTER INSERT ON run_metric_summary
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_group_after_summary_write();
CREATE TRIGGER leaderboard_group_on_summary_update AFTER UPDATE ON run_metric_summary
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_group_after_summary_write();
CREATE TRIGGER leaderboard_group_on_summary_delete AFTER DELETE ON run_metric_summary
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_group_after_summary_write();

-- Archived / restored datasets and methods, and dataset lineage (requirement, kind,
-- source): the groups of their runs.
CREATE FUNCTION leaderboard_group_after_dataset_write() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
  -- Only what decides membership, kind or requirement (other dataset columns change often).
  PERFORM leaderboard_group_refresh(array_agg(r.source), array_agg(r.config_key), array_agg(r.group_name))
  FROM (SELECT array_agg(n.id) AS ids FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (o.archived_at, o.kind, o.requirement, o.source_dataset_id) IS DISTINCT FROM (n.archived_at, n.kind, n.requirement, n.source_dataset_id)) c
  JOIN run r ON r.dataset_id = ANY(c.ids) OR r.dataset_id IN (SELECT d.id FROM dataset d WHERE d.source_dataset_id = ANY(c.ids))
  WHERE r.kind = 'EVALUATE' AND r.status = 'SUCCEEDED'
  HAVING count(*) > 0;
  RETURN NULL;
END
$$;

CREATE FUNCTION leaderboard_group_after_method_write() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM leaderboard_group_refresh(array_agg(r.source), array_agg(r.config_key), array_agg(r.group_name))
  FROM run r
  WHERE r.kind = 'EVALUATE' AND r.status = 'SUCCEEDED'
    AND r.transfer_method_id IN (SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
                                 WHERE (o.archived_at, o.requirement) IS DISTINCT FROM (n.archived_at, n.requirement))
  HAVING count(*) > 0;
  RETURN NULL;
END
$$;

CREATE TRIGGER leaderboard_group_on_dataset_update AFTER UPDATE ON dataset
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_group_after_dataset_write();
CREATE TRIGGER leaderboard_group_on_method_update AFTER UPDATE ON transfer_method
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_group_after_method_write();

-- Everything from run + run_metric_summary (the rebuild command; the backfill below).
CREATE FUNCTION leaderboard_group_rebuild() RETURNS VOID
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM leaderboard_group;
  PERFORM leaderboard_group_refresh(array_agg(k.source), array_agg(k.config_key), array_agg(k.group_name))
  FROM (SELECT DISTINCT r.source, r.config_key, r.group_name FROM run r WHERE r.kind = 'EVALUATE' AND r.status = 'SUCCEEDED') k;
END
$$;

SELECT leaderboard_group_rebuild();
