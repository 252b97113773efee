-- The leaderboard's version (issue 16): one counter that every write able to change a
-- leaderboard answered from the maintained summaries bumps, in the writing transaction.
-- The API keeps a built board per request shape with the version it was built at and
-- serves pages from it while the version is unchanged (src/services/leaderboard/board-memo.ts).
-- What such a board reads, and what bumps:
--   leaderboard_group (+ its metric and pair sums): every refresh upserts or deletes the
--     touched groups' rows, so any change of a counted run (status, config, group name,
--     archive, metric summaries, incl. published averages) passes through here;
--   dataset / transfer_method: names, lineage, kind, requirement and archive shown or
--     used by the board (other columns change often and are left out);
--   benchmark: names and protocols.
-- A statement-level trigger per table: one bump per writing statement, not per row.
CREATE TABLE "leaderboard_state" (
  "id" INTEGER NOT NULL DEFAULT 1,
  "version" BIGINT NOT NULL DEFAULT 0,
  CONSTRAINT "leaderboard_state_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "leaderboard_state_one_row" CHECK ("id" = 1)
);
INSERT INTO "leaderboard_state" ("id", "version") VALUES (1, 0);

CREATE FUNCTION leaderboard_version_bump() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE leaderboard_state SET version = version + 1 WHERE id = 1;
  RETURN NULL;
END
$$;

CREATE TRIGGER leaderboard_version_on_group AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON leaderboard_group
  FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_version_bump();
CREATE TRIGGER leaderboard_version_on_benchmark AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON benchmark
  FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_version_bump();

-- Datasets and methods: only when a column the board shows or uses changed.
CREATE FUNCTION leaderboard_version_after_dataset_write() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' OR EXISTS (
    SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (o.name, o.archived_at, o.kind, o.requirement, o.source_dataset_id) IS DISTINCT FROM (n.name, n.archived_at, n.kind, n.requirement, n.source_dataset_id)
  ) THEN
    UPDATE leaderboard_state SET version = version + 1 WHERE id = 1;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER leaderboard_version_on_dataset_update AFTER UPDATE ON dataset
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_version_after_dataset_write();
CREATE TRIGGER leaderboard_version_on_dataset_delete AFTER DELETE ON dataset
  FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_version_bump();

CREATE FUNCTION leaderboard_version_after_method_write() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (o.name, o.archived_at, o.requirement) IS DISTINCT FROM (n.name, n.archived_at, n.requirement)
  ) THEN
    UPDATE leaderboard_state SET version = version + 1 WHERE id = 1;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER leaderboard_version_on_method_update AFTER UPDATE ON transfer_method
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_version_after_method_write();
CREATE TRIGGER leaderboard_version_on_method_delete AFTER DELETE ON transfer_method
  FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_version_bump();
