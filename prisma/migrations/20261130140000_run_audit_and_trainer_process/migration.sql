-- Who changed a run's results, when, and what (issue 15 item 8); and the process group of a
-- run's trainer with its host, so a retry never starts beside a previous attempt (item 11).
CREATE TABLE "run_audit_event" (
    "id" BIGSERIAL NOT NULL,
    "run_id" UUID NOT NULL,
    "actor" TEXT NOT NULL,
    "token_id" UUID,
    "action" TEXT NOT NULL,
    "changes" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "run_audit_event_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "run_audit_event_run_id_id_idx" ON "run_audit_event"("run_id", "id");
ALTER TABLE "run_audit_event" ADD CONSTRAINT "run_audit_event_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "run" ADD COLUMN "process_group" INTEGER;
ALTER TABLE "run" ADD COLUMN "process_host" TEXT;
