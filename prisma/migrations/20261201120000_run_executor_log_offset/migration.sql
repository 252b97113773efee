-- How many bytes of a Slurm job's output file are already copied into the run log
-- (issue 13): the reconciler tails the file from here, bounded per pass and in all.
-- Existing runs start at 0 (their files, if still there, are read from the start).
ALTER TABLE "run" ADD COLUMN "executor_log_offset" INTEGER NOT NULL DEFAULT 0;
