-- The paper's whole experiment as one launch: transfer -> train x repeats -> evaluate.
CREATE TYPE "PipelineStatus" AS ENUM ('RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');

CREATE TABLE "pipeline" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "status" "PipelineStatus" NOT NULL DEFAULT 'RUNNING',
    "spec" JSONB NOT NULL,
    "group_name" TEXT NOT NULL,
    "baseline" BOOLEAN NOT NULL DEFAULT false,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    CONSTRAINT "pipeline_pkey" PRIMARY KEY ("id")
);

ALTER TABLE "run" ADD COLUMN "pipeline_id" UUID;
CREATE INDEX "run_pipeline_id_idx" ON "run"("pipeline_id");
ALTER TABLE "run" ADD CONSTRAINT "run_pipeline_id_fkey" FOREIGN KEY ("pipeline_id") REFERENCES "pipeline"("id") ON DELETE SET NULL ON UPDATE CASCADE;
