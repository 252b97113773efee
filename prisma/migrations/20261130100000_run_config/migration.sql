-- Configuration lineage (issue 11). Every run stores its effective configuration
-- (`config`: its own params plus what it inherits along its lineage, as a flat JSON
-- object of namespaced keys) and `config_key`, the identity of that configuration
-- without seeds. Both are computed here, in SQL, by run_effective_config and
-- run_config_identity: the one definition used by the backfill below, by the trigger
-- on every insert or lineage change of a run, and by the triggers that refresh runs
-- when lineage becomes known later. src/domain/run-config.ts documents the keys.
--
-- Keys (absent when unknown; null values are dropped):
--   dataset                 the base training data: the training dataset, or for a
--                           realism-transferred dataset the dataset it was transferred from
--   transfer.method         the transfer method's name
--   transfer.modelVersion   the method's ONNX model at launch (sha256 prefix of the file)
--   transfer.<option>       the method options (fidelityWeight, steps, ...) and limit
--   transfer.seed           the TRANSFER run's seed
--   train.trainer, train.backbone, train.head, train.<param>, train.seed
--   evaluate.<param>        an EVALUATE run's own params except evaluation mechanics
--                           (mode, batchSize, benchmarks, allowNonStandardSize, useDetectorScore, alignment)
--   evaluate.seed           an EVALUATE run's seed when it has no training seed
--   evaluate.nonStandard    {benchmark name: what differs from the protocol}, e.g.
--                           {"LFW": "300 of 6000 pairs"}; absent for standard evaluations
--   quality.reference, quality.featureModel, quality.limit   dataset-quality runs
-- Seeds: train.seed, transfer.seed, evaluate.seed.
-- config_key = first 32 hex digits of sha256 over the jsonb text of config minus the
-- seeds (jsonb prints keys in one canonical order, so equal configurations give equal
-- keys). The published source is not part of it.

ALTER TABLE "run" ADD COLUMN "config" JSONB NOT NULL DEFAULT '{}';
ALTER TABLE "run" ADD COLUMN "config_key" TEXT;

-- {"epochs": 3} -> {"train.epochs": 3}; anything but an object gives {}.
CREATE FUNCTION run_config_prefixed(prefix TEXT, params JSONB) RETURNS JSONB
LANGUAGE sql IMMUTABLE AS $$
  SELECT COALESCE(jsonb_object_agg(prefix || '.' || e.key, e.value), '{}'::jsonb)
  FROM jsonb_each(CASE WHEN jsonb_typeof(params) = 'object' THEN params ELSE '{}'::jsonb END) e
  WHERE e.value <> 'null'::jsonb
$$;

CREATE FUNCTION run_config_seed_keys() RETURNS TEXT[]
LANGUAGE sql IMMUTABLE AS $$ SELECT ARRAY['train.seed', 'transfer.seed', 'evaluate.seed'] $$;

CREATE FUNCTION run_config_identity(config JSONB) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS $$
  SELECT left(encode(sha256(convert_to((config - run_config_seed_keys())::text, 'UTF8')), 'hex'), 32)
$$;

-- What a training dataset contributes: its base data and, for a transfer output, how
-- it was transferred (the producing TRANSFER run's stored config, else the catalogue's
-- method and source dataset).
CREATE FUNCTION run_config_of_dataset(dataset_id UUID) RETURNS JSONB
LANGUAGE plpgsql STABLE AS $$
DECLARE
  d dataset%ROWTYPE;
  produced JSONB;
BEGIN
  IF dataset_id IS NULL THEN RETURN '{}'::jsonb; END IF;
  SELECT * INTO d FROM dataset WHERE id = dataset_id;
  IF NOT FOUND THEN RETURN '{}'::jsonb; END IF;
  IF d.produced_by_run_id IS NOT NULL THEN
    SELECT r.config INTO produced FROM run r WHERE r.id = d.produced_by_run_id AND r.kind = 'TRANSFER';
    IF produced IS NOT NULL AND produced ? 'dataset' THEN RETURN produced; END IF;
  END IF;
  IF d.transfer_method_id IS NOT NULL THEN
    RETURN jsonb_strip_nulls(jsonb_build_object(
      'dataset', COALESCE((SELECT s.name FROM dataset s WHERE s.id = d.source_dataset_id), d.name),
      'transfer.method', (SELECT m.name FROM transfer_method m WHERE m.id = d.transfer_method_id)));
  END IF;
  RETURN jsonb_build_object('dataset', d.name);
END
$$;

-- Benchmarks evaluated off the protocol: {name: "300 of 6000 pairs"} (sizes against the
-- catalogue's pair counts; IJB without detector scores).
CREATE FUNCTION run_config_non_standard(params JSONB) RETURNS JSONB
LANGUAGE sql STABLE AS $$
  SELECT jsonb_object_agg(x.name, x.what)
  FROM (
    SELECT b->>'name' AS name,
           concat_ws('; ',
             CASE WHEN bm.pair_count IS NOT NULL AND (b->>'pairs') ~ '^[0-9]{1,15}$' AND (b->>'pairs')::bigint <> bm.pair_count
                  THEN format('%s of %s pairs', b->>'pairs', bm.pair_count) END,
             CASE WHEN bm.protocol = 'IJB_TEMPLATE_1TO1' AND params->'useDetectorScore' = 'false'::jsonb
                  THEN 'without detector scores' END) AS what
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(params->'benchmarks') = 'array' THEN params->'benchmarks' ELSE '[]'::jsonb END) b
    JOIN benchmark bm ON bm.name = b->>'name'
  ) x
  WHERE x.what <> ''
$$;

-- The effective configuration of one run (see the key list at the top).
CREATE FUNCTION run_effective_config(r run) RETURNS JSONB
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

  -- EVALUATE. Published results: the training data and method only (their params are bookkeeping).
  IF r.source IS NOT NULL THEN
    cfg := run_config_of_dataset(r.dataset_id);
    IF r.transfer_method_id IS NOT NULL THEN
      cfg := cfg || jsonb_build_object('transfer.method', (SELECT m.name FROM transfer_method m WHERE m.id = r.transfer_method_id));
    END IF;
    RETURN jsonb_strip_nulls(cfg);
  END IF;

  -- Dataset quality: the measured dataset against a reference, with a feature model.
  IF own->>'mode' = 'dataset-quality' THEN
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

-- Recomputes the given runs; those whose config changes cascade to their
-- downstream runs through run_config_cascade.
CREATE FUNCTION run_config_refresh(ids UUID[]) RETURNS VOID
LANGUAGE plpgsql AS $$
BEGIN
  IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
  UPDATE run r SET config = c.config, config_key = run_config_identity(c.config)
  FROM (SELECT x.id, run_effective_config(x) AS config FROM run x WHERE x.id = ANY(ids)) c
  WHERE r.id = c.id AND r.config IS DISTINCT FROM c.config;
END
$$;

-- Backfill (before the triggers exist): upstream first (TRANSFER, then TRAIN, then EVALUATE),
-- so every run reads its producer's config already computed.
DO $$
DECLARE k TEXT;
BEGIN
  FOREACH k IN ARRAY ARRAY['TRANSFER', 'TRAIN', 'EVALUATE'] LOOP
    UPDATE run x SET config = run_effective_config(x) WHERE x.kind::text = k;
  END LOOP;
  UPDATE run SET config_key = run_config_identity(config);
END
$$;

-- Every write of a run's lineage columns computes its config in the same statement.
CREATE FUNCTION run_config_before_write() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
  NEW.config := run_effective_config(NEW);
  NEW.config_key := run_config_identity(NEW.config);
  RETURN NEW;
END
$$;

CREATE TRIGGER run_config_on_insert BEFORE INSERT ON run
  FOR EACH ROW EXECUTE FUNCTION run_config_before_write();
CREATE TRIGGER run_config_on_lineage BEFORE UPDATE OF kind, params, seed, source, dataset_id, transfer_method_id, face_model_id, trainer_id ON run
  FOR EACH ROW EXECUTE FUNCTION run_config_before_write();

-- A TRANSFER or TRAIN run whose config changed: the runs built on its output follow.
CREATE FUNCTION run_config_cascade() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.kind = 'TRANSFER' THEN
    PERFORM run_config_refresh(ARRAY(
      SELECT x.id FROM run x JOIN dataset d ON d.id = x.dataset_id WHERE d.produced_by_run_id = NEW.id
      UNION SELECT x.id FROM run x JOIN face_model f ON f.id = x.face_model_id JOIN dataset d ON d.id = f.trained_on_id
            WHERE d.produced_by_run_id = NEW.id AND f.produced_by_run_id IS NULL));
  ELSIF NEW.kind = 'TRAIN' THEN
    PERFORM run_config_refresh(ARRAY(
      SELECT x.id FROM run x JOIN face_model f ON f.id = x.face_model_id WHERE f.produced_by_run_id = NEW.id));
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER run_config_downstream AFTER UPDATE OF config ON run
  FOR EACH ROW WHEN (OLD.config IS DISTINCT FROM NEW.config AND NEW.kind IN ('TRANSFER', 'TRAIN'))
  EXECUTE FUNCTION run_config_cascade();

-- Lineage learnt later: a dataset linked to the run that produced it, renamed, or given
-- a method or source; a face model linked to its TRAIN run; renamed methods and trainers.
CREATE FUNCTION run_config_dataset_changed() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM run_config_refresh(ARRAY(
    SELECT x.id FROM run x WHERE x.dataset_id = NEW.id
    UNION SELECT x.id FROM run x JOIN dataset d ON d.id = x.dataset_id WHERE d.source_dataset_id = NEW.id
    UNION SELECT x.id FROM run x JOIN face_model f ON f.id = x.face_model_id WHERE f.trained_on_id = NEW.id));
  RETURN NULL;
END
$$;

CREATE TRIGGER run_config_dataset AFTER UPDATE OF name, produced_by_run_id, transfer_method_id, source_dataset_id ON dataset
  FOR EACH ROW EXECUTE FUNCTION run_config_dataset_changed();

CREATE FUNCTION run_config_face_model_changed() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM run_config_refresh(ARRAY(SELECT x.id FROM run x WHERE x.face_model_id = NEW.id));
  RETURN NULL;
END
$$;

CREATE TRIGGER run_config_face_model AFTER UPDATE OF name, produced_by_run_id, trained_on_id, backbone, head ON face_model
  FOR EACH ROW EXECUTE FUNCTION run_config_face_model_changed();

CREATE FUNCTION run_config_method_changed() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM run_config_refresh(ARRAY(
    SELECT x.id FROM run x WHERE x.transfer_method_id = NEW.id
    UNION SELECT x.id FROM run x JOIN dataset d ON d.id = x.dataset_id WHERE d.transfer_method_id = NEW.id));
  RETURN NULL;
END
$$;

CREATE TRIGGER run_config_method AFTER UPDATE OF name ON transfer_method
  FOR EACH ROW EXECUTE FUNCTION run_config_method_changed();

CREATE FUNCTION run_config_trainer_changed() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM run_config_refresh(ARRAY(SELECT x.id FROM run x WHERE x.trainer_id = NEW.id));
  RETURN NULL;
END
$$;

CREATE TRIGGER run_config_trainer AFTER UPDATE OF name, backbone, head ON trainer
  FOR EACH ROW EXECUTE FUNCTION run_config_trainer_changed();

CREATE INDEX "run_config_key_idx" ON "run"("config_key");
