-- The leaderboard's version (issue 16): a counter bumped once by every transaction that
-- can change a leaderboard answered from the maintained summaries. The API keeps a built
-- board per request shape with the version it was built at, serves pages from it while
-- the version is unchanged, and otherwise rebuilds only the rows whose groups changed
-- (src/services/leaderboard/board-memo.ts, leaderboard-store.ts).
--   leaderboard_state.version       bumped once per writing transaction (the first write
--                                   takes the next number and keeps it for the rest of the
--                                   transaction; the row lock orders the numbers as commits);
--   leaderboard_state.full_version  the last version whose change needs a full rebuild:
--                                   dataset / method names, lineage, kind, requirement or
--                                   archive, benchmarks, a truncated group table;
--   leaderboard_group.version       the version of the transaction that last wrote the group
--                                   (every refresh upserts or deletes the touched groups, so
--                                   any change of a counted run passes through here);
--   leaderboard_group_gone          groups deleted, with their version (kept for the last
--                                   1,000 versions: gone_kept_from; an older board rebuilds).
CREATE TABLE "leaderboard_state" (
  "id" INTEGER NOT NULL DEFAULT 1,
  "version" BIGINT NOT NULL DEFAULT 0,
  "full_version" BIGINT NOT NULL DEFAULT 0,
  "gone_kept_from" BIGINT NOT NULL DEFAULT 0,
  CONSTRAINT "leaderboard_state_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "leaderboard_state_one_row" CHECK ("id" = 1)
);
INSERT INTO "leaderboard_state" ("id") VALUES (1);

ALTER TABLE "leaderboard_group" ADD COLUMN "version" BIGINT NOT NULL DEFAULT 0;
CREATE INDEX "leaderboard_group_version_idx" ON "leaderboard_group"("version");

CREATE TABLE "leaderboard_group_gone" (
  "id" BIGSERIAL NOT NULL,
  "source" TEXT,
  "config_key" TEXT,
  "group_name" TEXT,
  "version" BIGINT NOT NULL,
  CONSTRAINT "leaderboard_group_gone_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "leaderboard_group_gone_version_idx" ON "leaderboard_group_gone"("version");

-- This transaction's version: the next number on its first call, the same one after.
CREATE FUNCTION leaderboard_txn_version() RETURNS BIGINT
LANGUAGE plpgsql AS $$
DECLARE
  v BIGINT := NULLIF(current_setting('realismlab.leaderboard_version', true), '')::BIGINT;
BEGIN
  IF v IS NULL THEN
    UPDATE leaderboard_state SET version = version + 1 WHERE id = 1 RETURNING version INTO v;
    PERFORM set_config('realismlab.leaderboard_version', v::TEXT, true);
    IF v % 1000 = 0 THEN
      DELETE FROM leaderboard_group_gone WHERE version <= v - 1000;
      UPDATE leaderboard_state SET gone_kept_from = v - 1000 WHERE id = 1;
    END IF;
  END IF;
  RETURN v;
END
$$;

CREATE FUNCTION leaderboard_full_change() RETURNS VOID
LANGUAGE plpgsql AS $$
DECLARE
  v BIGINT := leaderboard_txn_version(); -- first: it may update the state row itself
BEGIN
  UPDATE leaderboard_state SET full_version = v WHERE id = 1;
END
$$;

CREATE FUNCTION leaderboard_group_stamp() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO leaderboard_group_gone (source, config_key, group_name, version)
    VALUES (OLD.source, OLD.config_key, OLD.group_name, leaderboard_txn_version());
    RETURN OLD;
  END IF;
  NEW.version := leaderboard_txn_version();
  RETURN NEW;
END
$$;
CREATE TRIGGER leaderboard_group_stamp BEFORE INSERT OR UPDATE OR DELETE ON leaderboard_group
  FOR EACH ROW EXECUTE FUNCTION leaderboard_group_stamp();

CREATE FUNCTION leaderboard_version_full() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM leaderboard_full_change();
  RETURN NULL;
END
$$;
CREATE TRIGGER leaderboard_version_on_group_truncate AFTER TRUNCATE ON leaderboard_group
  FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_version_full();
CREATE TRIGGER leaderboard_version_on_benchmark AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON benchmark
  FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_version_full();

-- Datasets and methods: only when a column the board shows or uses changed (other
-- dataset columns change often).
CREATE FUNCTION leaderboard_version_after_dataset_write() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (o.name, o.archived_at, o.kind, o.requirement, o.source_dataset_id) IS DISTINCT FROM (n.name, n.archived_at, n.kind, n.requirement, n.source_dataset_id)
  ) THEN
    PERFORM leaderboard_full_change();
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER leaderboard_version_on_dataset_update AFTER UPDATE ON dataset
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_version_after_dataset_write();
CREATE TRIGGER leaderboard_version_on_dataset_delete AFTER DELETE ON dataset
  FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_version_full();

CREATE FUNCTION leaderboard_version_after_method_write() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (o.name, o.archived_at, o.requirement) IS DISTINCT FROM (n.name, n.archived_at, n.requirement)
  ) THEN
    PERFORM leaderboard_full_change();
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER leaderboard_version_on_method_update AFTER UPDATE ON transfer_method
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_version_after_method_write();
CREATE TRIGGER leaderboard_version_on_method_delete AFTER DELETE ON transfer_method
  FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_version_full();
