-- Editable catalogue: archiving instead of deleting (datasets, transfer methods,
-- runs), and tags and notes on runs. Existing rows stay visible (archived_at NULL)
-- with no tags and no notes.
ALTER TABLE "dataset" ADD COLUMN "archived_at" TIMESTAMPTZ(3);
ALTER TABLE "transfer_method" ADD COLUMN "archived_at" TIMESTAMPTZ(3);
ALTER TABLE "run" ADD COLUMN "archived_at" TIMESTAMPTZ(3);
ALTER TABLE "run" ADD COLUMN "tags" TEXT[] DEFAULT ARRAY[]::TEXT[];
ALTER TABLE "run" ADD COLUMN "notes" TEXT;

-- `runs(filter: { tags: [...] })` is an array containment test.
CREATE INDEX "run_tags_idx" ON "run" USING GIN ("tags");
