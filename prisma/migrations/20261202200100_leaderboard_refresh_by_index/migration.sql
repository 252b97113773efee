-- Leaderboard group refresh by index (issue 16): the set-based refresh (migration
-- 20261201130100) joined its temp tables (never analyzed: the planner assumes hundreds of
-- rows) to run, leaderboard_group_metric and leaderboard_group_pair by hash, reading each
-- whole: one run finishing at 100,000 runs cost ~100 ms (a scan of 100k runs, 33k metric
-- sums and 200k pair sums). Now every table is reached by index per touched key or group:
-- the runs by run_config_key_idx per key, the sums by their primary keys' group_id prefix.
-- The same rows as before; the function is restated whole (CREATE OR REPLACE takes a body).
CREATE OR REPLACE FUNCTION leaderboard_group_refresh(sources TEXT[], keys TEXT[], groups TEXT[]) RETURNS VOID
LANGUAGE plpgsql AS $$
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS leaderboard_refresh_keys (kk TEXT, source TEXT, config_key TEXT, group_name TEXT) ON COMMIT DROP;
  CREATE TEMP TABLE IF NOT EXISTS leaderboard_refresh_runs (kk TEXT, source TEXT, config_key TEXT, group_name TEXT, id UUID,
    created_at TIMESTAMPTZ(3), dataset_id UUID, transfer_method_id UUID, non_standard JSONB, eff_kind "DatasetKind", eff_req "Requirement") ON COMMIT DROP;
  CREATE TEMP TABLE IF NOT EXISTS leaderboard_refresh_ids (id BIGINT, kk TEXT) ON COMMIT DROP;
  DELETE FROM leaderboard_refresh_keys;
  DELETE FROM leaderboard_refresh_runs;
  DELETE FROM leaderboard_refresh_ids;

  INSERT INTO leaderboard_refresh_keys
  SELECT DISTINCT jsonb_build_array(u.source, u.config_key, u.group_name)::text, u.source, u.config_key, u.group_name
  FROM unnest(sources, keys, groups) AS u(source, config_key, group_name);

  INSERT INTO leaderboard_refresh_runs
  SELECT k.kk, k.source, k.config_key, k.group_name, r.id, r.created_at, r.dataset_id, r.transfer_method_id, r.config -> 'evaluate.nonStandard',
         CASE WHEN r.transfer_method_id IS NOT NULL THEN 'REALISM_TRANSFERRED'::"DatasetKind" ELSE d.kind END,
         GREATEST(COALESCE(d.requirement, sd.requirement), tm.requirement)
  FROM leaderboard_refresh_keys k
  -- One run_config_key_idx range per key (OFFSET 0 keeps it from becoming a join that the
  -- temp table's default estimate turns into a scan of every run).
  CROSS JOIN LATERAL (
    SELECT * FROM run q
    WHERE q.config_key = k.config_key AND q.source IS NOT DISTINCT FROM k.source AND q.group_name IS NOT DISTINCT FROM k.group_name
      AND q.kind = 'EVALUATE' AND q.status = 'SUCCEEDED' AND q.archived_at IS NULL
    OFFSET 0
  ) r
  LEFT JOIN dataset d ON d.id = r.dataset_id
  LEFT JOIN dataset sd ON sd.id = d.source_dataset_id
  LEFT JOIN transfer_method tm ON tm.id = r.transfer_method_id
  WHERE d.archived_at IS NULL AND tm.archived_at IS NULL;

  DELETE FROM leaderboard_group g
  USING leaderboard_refresh_keys k
  WHERE g.source IS NOT DISTINCT FROM k.source AND g.config_key IS NOT DISTINCT FROM k.config_key AND g.group_name IS NOT DISTINCT FROM k.group_name
    AND NOT EXISTS (SELECT 1 FROM leaderboard_refresh_runs x WHERE x.kk = k.kk);

  WITH upserted AS (
    INSERT INTO leaderboard_group AS g (source, config_key, group_name, run_count, published_count, first_at, last_at,
      rep_run_id, dataset_id, transfer_method_id, kind, requirement)
    SELECT x.source, x.config_key, x.group_name, count(*)::int, count(*) FILTER (WHERE x.source IS NOT NULL)::int,
           min(x.created_at), max(x.created_at), min(x.id::text)::uuid,
           CASE WHEN min(x.dataset_id::text) = max(x.dataset_id::text) AND count(x.dataset_id) = count(*) THEN min(x.dataset_id::text)::uuid END,
           CASE WHEN min(x.transfer_method_id::text) = max(x.transfer_method_id::text) AND count(x.transfer_method_id) = count(*) THEN min(x.transfer_method_id::text)::uuid END,
           CASE WHEN min(x.eff_kind) = max(x.eff_kind) AND count(x.eff_kind) = count(*) THEN min(x.eff_kind) END,
           CASE WHEN min(x.eff_req) = max(x.eff_req) AND count(x.eff_req) = count(*) THEN min(x.eff_req) END
    FROM leaderboard_refresh_runs x
    GROUP BY x.source, x.config_key, x.group_name
    ORDER BY x.source, x.config_key, x.group_name
    ON CONFLICT (source, config_key, group_name) DO UPDATE SET
      run_count = EXCLUDED.run_count, published_count = EXCLUDED.published_count, first_at = EXCLUDED.first_at,
      last_at = EXCLUDED.last_at, rep_run_id = EXCLUDED.rep_run_id, dataset_id = EXCLUDED.dataset_id,
      transfer_method_id = EXCLUDED.transfer_method_id, kind = EXCLUDED.kind, requirement = EXCLUDED.requirement
    RETURNING g.id, jsonb_build_array(g.source, g.config_key, g.group_name)::text AS kk
  )
  INSERT INTO leaderboard_refresh_ids SELECT u.id, u.kk FROM upserted u;

  -- By primary-key prefix (= ANY of an array), never a hash of the whole sums tables.
  DELETE FROM leaderboard_group_metric m WHERE m.group_id = ANY(ARRAY(SELECT i.id FROM leaderboard_refresh_ids i));
  DELETE FROM leaderboard_group_pair p WHERE p.group_id = ANY(ARRAY(SELECT i.id FROM leaderboard_refresh_ids i));

  INSERT INTO leaderboard_group_metric (group_id, benchmark_id, name, n, sum_last, sum_sq_last, sum_min, sum_sq_min,
    sum_max, sum_sq_max, sum_mean, sum_sq_mean, n_std, sum_std, odd)
  SELECT i.id, s.benchmark_id, s.name, count(*)::int,
         sum(s.last_value), sum(s.last_value * s.last_value), sum(s.min_value), sum(s.min_value * s.min_value),
         sum(s.max_value), sum(s.max_value * s.max_value),
         sum(s.sum / s.count), sum((s.sum / s.count) * (s.sum / s.count)),
         count(s.last_std)::int, sum(s.last_std),
         count(*) FILTER (WHERE x.non_standard ? b.name)::int
  FROM leaderboard_refresh_ids i
  JOIN leaderboard_refresh_runs x ON x.kk = i.kk
  -- One index range per run whatever the statistics; count 0: a row whose last point was
  -- just deleted (it goes in the same statement's function).
  CROSS JOIN LATERAL (SELECT * FROM run_metric_summary q WHERE q.run_id = x.id AND q.count > 0 AND q.benchmark_id IS NOT NULL OFFSET 0) s
  JOIN benchmark b ON b.id = s.benchmark_id
  GROUP BY i.id, s.benchmark_id, s.name;

  INSERT INTO leaderboard_group_pair (group_id, a_benchmark_id, a_name, b_benchmark_id, b_name, n, sum_product)
  SELECT i.id, a.benchmark_id, a.name, b.benchmark_id, b.name, count(*)::int, sum(a.last_value * b.last_value)
  FROM leaderboard_refresh_ids i
  JOIN leaderboard_refresh_runs x ON x.kk = i.kk
  CROSS JOIN LATERAL (
    SELECT array_agg(q.benchmark_id) AS bs, array_agg(q.name) AS ns, array_agg(q.last_value) AS vs
    FROM run_metric_summary q WHERE q.run_id = x.id AND q.count > 0 AND q.benchmark_id IS NOT NULL
  ) r
  CROSS JOIN LATERAL unnest(r.bs, r.ns, r.vs) AS a(benchmark_id, name, last_value)
  CROSS JOIN LATERAL unnest(r.bs, r.ns, r.vs) AS b(benchmark_id, name, last_value)
  WHERE (a.benchmark_id, a.name) <= (b.benchmark_id, b.name)
  GROUP BY i.id, a.benchmark_id, a.name, b.benchmark_id, b.name;
END
$$;
