-- Launched runs: how many times a worker has started the run, and how many
-- starts its retry policy allows after a lost worker (heartbeat timeout).
ALTER TABLE "run" ADD COLUMN "attempt" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "run" ADD COLUMN "max_attempts" INTEGER NOT NULL DEFAULT 1;
CREATE INDEX "run_status_heartbeat_at_idx" ON "run"("status", "heartbeat_at");
