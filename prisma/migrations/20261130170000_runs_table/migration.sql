-- Runs table (issue 16).
-- Paging by last update walks an index like paging by creation.
CREATE INDEX "run_updated_at_id_idx" ON "run"("updated_at", "id");

-- How many runs there are per kind, status, published and archived: the runs table's
-- totalCount for its usual filters without counting 100,000 rows on every page.
-- Kept by triggers in the writing transaction (statement-level for bulk inserts and
-- deletes; row-level only when one of the four columns changes).
CREATE TABLE "run_count" (
    "kind" "RunKind" NOT NULL,
    "status" "RunStatus" NOT NULL,
    "published" BOOLEAN NOT NULL,
    "archived" BOOLEAN NOT NULL,
    "runs" BIGINT NOT NULL,
    CONSTRAINT "run_count_pkey" PRIMARY KEY ("kind", "status", "published", "archived")
);

CREATE FUNCTION run_count_add(rows_kind "RunKind"[], rows_status "RunStatus"[], rows_published boolean[], rows_archived boolean[], delta bigint)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO run_count (kind, status, published, archived, runs)
  SELECT k, s, p, a, count(*) * delta FROM unnest(rows_kind, rows_status, rows_published, rows_archived) AS t(k, s, p, a)
  GROUP BY k, s, p, a
  -- One lock order, so concurrent writers wait instead of deadlocking.
  ORDER BY k, s, p, a
  ON CONFLICT (kind, status, published, archived) DO UPDATE SET runs = run_count.runs + EXCLUDED.runs;
$$;

CREATE FUNCTION run_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM run_count_add(array_agg(kind), array_agg(status), array_agg(source IS NOT NULL), array_agg(archived_at IS NOT NULL), 1) FROM new_rows;
  RETURN NULL;
END $$;

CREATE FUNCTION run_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM run_count_add(array_agg(kind), array_agg(status), array_agg(source IS NOT NULL), array_agg(archived_at IS NOT NULL), -1) FROM old_rows;
  RETURN NULL;
END $$;

CREATE FUNCTION run_count_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM run_count_add(ARRAY[OLD.kind], ARRAY[OLD.status], ARRAY[OLD.source IS NOT NULL], ARRAY[OLD.archived_at IS NOT NULL], -1);
  PERFORM run_count_add(ARRAY[NEW.kind], ARRAY[NEW.status], ARRAY[NEW.source IS NOT NULL], ARRAY[NEW.archived_at IS NOT NULL], 1);
  RETURN NULL;
END $$;

CREATE TRIGGER run_count_insert AFTER INSERT ON run REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION run_count_inserted();
CREATE TRIGGER run_count_delete AFTER DELETE ON run REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION run_count_deleted();
CREATE TRIGGER run_count_update AFTER UPDATE ON run FOR EACH ROW
  WHEN (OLD.kind IS DISTINCT FROM NEW.kind OR OLD.status IS DISTINCT FROM NEW.status
        OR (OLD.source IS NULL) <> (NEW.source IS NULL) OR (OLD.archived_at IS NULL) <> (NEW.archived_at IS NULL))
  EXECUTE FUNCTION run_count_updated();

-- Existing runs.
INSERT INTO run_count (kind, status, published, archived, runs)
SELECT kind, status, source IS NOT NULL, archived_at IS NOT NULL, count(*) FROM run GROUP BY 1, 2, 3, 4;
