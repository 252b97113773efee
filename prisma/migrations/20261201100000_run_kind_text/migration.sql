-- Run kinds become modules (issue 12): run.kind is text, validated by the kind registry
-- (src/kinds/registry.ts), so adding a kind needs no migration; dataset quality, which
-- hid inside EVALUATE behind params.mode, becomes its own kind DATASET_QUALITY.

-- Triggers whose definitions name run.kind block its type change: dropped and recreated as they were.
DROP TRIGGER run_config_on_lineage ON run;
DROP TRIGGER run_config_downstream ON run;
DROP TRIGGER run_count_update ON run;
DROP FUNCTION run_count_add("RunKind"[], "RunStatus"[], boolean[], boolean[], bigint);

ALTER TABLE run ALTER COLUMN kind TYPE TEXT USING kind::text;
ALTER TABLE run_count ALTER COLUMN kind TYPE TEXT USING kind::text;
DROP TYPE "RunKind";

-- Names stay what the registry accepts even for rows written outside the API.
ALTER TABLE run ADD CONSTRAINT run_kind_format CHECK (kind ~ '^[A-Z][A-Z0-9_]{0,39}$');

CREATE FUNCTION run_count_add(rows_kind text[], rows_status "RunStatus"[], rows_published boolean[], rows_archived boolean[], delta bigint)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO run_count (kind, status, published, archived, runs)
  SELECT k, s, p, a, count(*) * delta FROM unnest(rows_kind, rows_status, rows_published, rows_archived) AS t(k, s, p, a)
  GROUP BY k, s, p, a
  -- One lock order, so concurrent writers wait instead of deadlocking.
  ORDER BY k, s, p, a
  ON CONFLICT (kind, status, published, archived) DO UPDATE SET runs = run_count.runs + EXCLUDED.runs;
$$;

CREATE TRIGGER run_count_update AFTER UPDATE ON run FOR EACH ROW
  WHEN (OLD.kind IS DISTINCT FROM NEW.kind OR OLD.status IS DISTINCT FROM NEW.status
        OR (OLD.source IS NULL) <> (NEW.source IS NULL) OR (OLD.archived_at IS NULL) <> (NEW.archived_at IS NULL))
  EXECUTE FUNCTION run_count_updated();

-- The effective configuration of a run (as in 20261130100000_run_config), now deciding dataset
-- quality by its kind, with a generic rule for kinds it does not name.
CREATE OR REPLACE FUNCTION run_effective_config(r run) RETURNS JSONB
LANGUAGE plpgsql STABLE AS $$
DECLARE
  cfg JSONB := '{}'::jsonb;
  own JSONB := CASE WHEN jsonb_typeof(r.params) = 'object' THEN r.params ELSE '{}'::jsonb END;
  fm face_model%ROWTYPE;
  producer JSONB;
  t trainer%ROWTYPE;
  odd JSONB;
BEGIN
  IF r.kind = 'TRANSFER' THEN
    cfg := run_config_of_dataset(r.dataset_id)
      || jsonb_strip_nulls(jsonb_build_object('transfer.method', (SELECT m.name FROM transfer_method m WHERE m.id = r.transfer_method_id)))
      || run_config_prefixed('transfer', own - ARRAY['outputName', 'outputDir', 'sourceDir', 'batchSize', 'maxFailureShare', 'methodOptions', 'seed'])
      || run_config_prefixed('transfer', own->'methodOptions');
    IF r.seed IS NOT NULL THEN cfg := cfg || jsonb_build_object('transfer.seed', r.seed);
    ELSIF own ? 'seed' AND own->'seed' <> 'null'::jsonb THEN cfg := cfg || jsonb_build_object('transfer.seed', own->'seed');
    END IF;
    RETURN cfg;
  END IF;

  IF r.kind = 'TRAIN' THEN
    cfg := run_config_of_dataset(r.dataset_id);
    IF r.transfer_method_id IS NOT NULL AND NOT cfg ? 'transfer.method' THEN
      cfg := cfg || jsonb_build_object('transfer.method', (SELECT m.name FROM transfer_method m WHERE m.id = r.transfer_method_id));
    END IF;
    SELECT * INTO t FROM trainer WHERE id = r.trainer_id;
    IF FOUND THEN
      cfg := cfg || jsonb_build_object('train.trainer', t.name, 'train.backbone', t.backbone, 'train.head', t.head);
    END IF;
    cfg := cfg || run_config_prefixed('train', own - 'seed');
    IF r.seed IS NOT NULL THEN cfg := cfg || jsonb_build_object('train.seed', r.seed);
    ELSIF own ? 'seed' AND own->'seed' <> 'null'::jsonb THEN cfg := cfg || jsonb_build_object('train.seed', own->'seed');
    END IF;
    RETURN jsonb_strip_nulls(cfg);
  END IF;

  -- A kind this function does not know (added by its module alone, src/kinds): its dataset's
  -- lineage plus its own params under its lower-case kind name.
  IF r.kind NOT IN ('EVALUATE', 'DATASET_QUALITY') THEN
    RETURN jsonb_strip_nulls(run_config_of_dataset(r.dataset_id) || run_config_prefixed(lower(r.kind), own));
  END IF;

  -- EVALUATE. Published results: the training data and method only (their params are bookkeeping).
  IF r.source IS NOT NULL THEN
    cfg := run_config_of_dataset(r.dataset_id);
    IF r.transfer_method_id IS NOT NULL THEN
      cfg := cfg || jsonb_build_object('transfer.method', (SELECT m.name FROM transfer_method m WHERE m.id = r.transfer_method_id));
    END IF;
    RETURN jsonb_strip_nulls(cfg);
  END IF;

  -- Dataset quality: the measured dataset against a reference, with a feature model.
  IF r.kind = 'DATASET_QUALITY' THEN
    RETURN jsonb_strip_nulls(run_config_of_dataset(r.dataset_id) || jsonb_build_object(
      'quality.reference', (SELECT d.name FROM dataset d WHERE d.id::text = own->>'referenceDatasetId'),
      'quality.featureModel', (SELECT f.name FROM face_model f WHERE f.id = r.face_model_id),
      'quality.limit', own->'limit'));
  END IF;

  IF r.face_model_id IS NOT NULL THEN
    SELECT * INTO fm FROM face_model WHERE id = r.face_model_id;
    IF FOUND THEN
      SELECT p.config INTO producer FROM run p WHERE p.id = fm.produced_by_run_id AND p.kind = 'TRAIN';
      IF producer IS NOT NULL THEN
        cfg := producer;
      ELSE
        cfg := run_config_of_dataset(fm.trained_on_id) || jsonb_build_object('train.backbone', fm.backbone, 'train.head', fm.head);
      END IF;
    END IF;
  ELSE
    cfg := run_config_of_dataset(r.dataset_id);
  END IF;
  IF r.transfer_method_id IS NOT NULL AND NOT cfg ? 'transfer.method' THEN
    cfg := cfg || jsonb_build_object('transfer.method', (SELECT m.name FROM transfer_method m WHERE m.id = r.transfer_method_id));
  END IF;
  cfg := cfg || run_config_prefixed('evaluate', own - ARRAY['mode', 'batchSize', 'benchmarks', 'allowNonStandardSize', 'useDetectorScore', 'alignment', 'seed']);
  IF NOT cfg ? 'train.seed' THEN
    IF r.seed IS NOT NULL THEN cfg := cfg || jsonb_build_object('evaluate.seed', r.seed);
    ELSIF own ? 'seed' AND own->'seed' <> 'null'::jsonb THEN cfg := cfg || jsonb_build_object('evaluate.seed', own->'seed');
    END IF;
  END IF;
  odd := run_config_non_standard(own);
  IF odd IS NOT NULL THEN cfg := cfg || jsonb_build_object('evaluate.nonStandard', odd); END IF;
  RETURN jsonb_strip_nulls(cfg);
END
$$;

CREATE TRIGGER run_config_on_lineage BEFORE UPDATE OF kind, params, seed, source, dataset_id, transfer_method_id, face_model_id, trainer_id ON run
  FOR EACH ROW EXECUTE FUNCTION run_config_before_write();
CREATE TRIGGER run_config_downstream AFTER UPDATE OF config ON run
  FOR EACH ROW WHEN (OLD.config IS DISTINCT FROM NEW.config AND NEW.kind IN ('TRANSFER', 'TRAIN'))
  EXECUTE FUNCTION run_config_cascade();

-- Existing dataset-quality runs keep their ids, metrics, events and audit trail; only the kind
-- changes and the params lose the mode marker (their config is recomputed by the trigger above,
-- and the summaries' triggers take them off the EVALUATE leaderboard groups).
UPDATE run SET kind = 'DATASET_QUALITY', params = params - 'mode'
WHERE kind = 'EVALUATE' AND params->>'mode' = 'dataset-quality';
-- A queued one's job stays filed under run:EVALUATE: the worker picks the job by the run's kind.
