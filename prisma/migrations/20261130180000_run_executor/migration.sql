-- Where a run executes (issue 13): the executor, the resources it asked for, and the
-- executor's job id, node and reason (a Slurm job). Existing runs stay on "local".
ALTER TABLE "run" ADD COLUMN "executor" TEXT NOT NULL DEFAULT 'local';
ALTER TABLE "run" ADD COLUMN "resources" JSONB NOT NULL DEFAULT '{}';
ALTER TABLE "run" ADD COLUMN "executor_job_id" TEXT;
ALTER TABLE "run" ADD COLUMN "executor_node" TEXT;
ALTER TABLE "run" ADD COLUMN "executor_reason" TEXT;
