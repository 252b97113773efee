-- External trainers (a command run without a shell) and the bounded per-run log.
CREATE TABLE "trainer" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "command" JSONB NOT NULL,
    "working_directory" TEXT NOT NULL,
    "environment" JSONB NOT NULL DEFAULT '{}',
    "model_output" TEXT NOT NULL,
    "input_spec" JSONB NOT NULL,
    "backbone" TEXT NOT NULL,
    "head" TEXT NOT NULL,
    "default_params" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "trainer_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "trainer_name_key" ON "trainer"("name");

CREATE TABLE "run_log" (
    "id" BIGSERIAL NOT NULL,
    "run_id" UUID NOT NULL,
    "stream" TEXT NOT NULL,
    "line" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "run_log_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "run_log_run_id_id_idx" ON "run_log"("run_id", "id");
ALTER TABLE "run_log" ADD CONSTRAINT "run_log_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "run" ADD COLUMN "trainer_id" UUID;
CREATE INDEX "run_trainer_id_idx" ON "run"("trainer_id");
ALTER TABLE "run" ADD CONSTRAINT "run_trainer_id_fkey" FOREIGN KEY ("trainer_id") REFERENCES "trainer"("id") ON DELETE SET NULL ON UPDATE CASCADE;
