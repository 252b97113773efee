-- RealismLab initial schema (matches prisma/schema.prisma; proven by
-- test/db/schema-matches-migrations.test.ts).

CREATE TYPE "DatasetKind" AS ENUM ('REAL', 'SYNTHETIC', 'REALISM_TRANSFERRED');
CREATE TYPE "Requirement" AS ENUM ('NONE', 'IDENTITY_LABELS', 'PRETRAINED_FR');
CREATE TYPE "MethodFamily" AS ENUM ('FACE_RESTORATION', 'UNPAIRED_I2I', 'DIFFUSION_INVERSION', 'GAN_INVERSION');
CREATE TYPE "QualitativeRating" AS ENUM ('GOOD', 'AVERAGE', 'POOR');
CREATE TYPE "BenchmarkProtocol" AS ENUM ('PAIRS_10FOLD', 'IJB_TEMPLATE_1TO1');
CREATE TYPE "RunKind" AS ENUM ('TRANSFER', 'TRAIN', 'EVALUATE');
CREATE TYPE "RunStatus" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');

CREATE TABLE "dataset" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "kind" "DatasetKind" NOT NULL,
    "requirement" "Requirement",
    "description" TEXT,
    "identity_count" INTEGER,
    "image_count" INTEGER,
    "uri" TEXT,
    "source_dataset_id" UUID,
    "produced_by_run_id" UUID,
    "transfer_method_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "dataset_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "transfer_method" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "family" "MethodFamily" NOT NULL,
    "requirement" "Requirement" NOT NULL DEFAULT 'NONE',
    "description" TEXT,
    "model_path" TEXT,
    "input_spec" JSONB,
    "default_options" JSONB NOT NULL DEFAULT '{}',
    "trained_on_id" UUID,
    "qualitative" "QualitativeRating",
    "published_seconds_per_image" DOUBLE PRECISION,
    "published_device" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "transfer_method_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "face_model" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "backbone" TEXT NOT NULL,
    "head" TEXT NOT NULL,
    "trained_on_id" UUID,
    "produced_by_run_id" UUID,
    "model_path" TEXT NOT NULL,
    "input_spec" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "face_model_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "benchmark" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "protocol" "BenchmarkProtocol" NOT NULL,
    "pair_count" INTEGER,
    "image_count" INTEGER,
    "template_count" INTEGER,
    "data_uri" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "benchmark_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "run" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "kind" "RunKind" NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'QUEUED',
    "name" TEXT,
    "params" JSONB NOT NULL DEFAULT '{}',
    "seed" INTEGER,
    "group_name" TEXT,
    "source" TEXT,
    "dataset_id" UUID,
    "transfer_method_id" UUID,
    "face_model_id" UUID,
    "progress_done" INTEGER,
    "progress_total" INTEGER,
    "progress_phase" TEXT,
    "progress_rate" DOUBLE PRECISION,
    "progress_eta_seconds" DOUBLE PRECISION,
    "worker" TEXT,
    "device" TEXT,
    "heartbeat_at" TIMESTAMPTZ(3),
    "details" JSONB,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "run_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "metric" (
    "id" BIGSERIAL NOT NULL,
    "run_id" UUID NOT NULL,
    "benchmark_id" UUID,
    "name" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "std" DOUBLE PRECISION,
    "step" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "metric_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "curve" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "run_id" UUID NOT NULL,
    "benchmark_id" UUID,
    "kind" TEXT NOT NULL,
    "points" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "curve_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "dataset_name_key" ON "dataset"("name");
CREATE UNIQUE INDEX "dataset_produced_by_run_id_key" ON "dataset"("produced_by_run_id");
CREATE INDEX "dataset_source_dataset_id_idx" ON "dataset"("source_dataset_id");
CREATE INDEX "dataset_transfer_method_id_idx" ON "dataset"("transfer_method_id");
CREATE UNIQUE INDEX "transfer_method_name_key" ON "transfer_method"("name");
CREATE UNIQUE INDEX "face_model_name_key" ON "face_model"("name");
CREATE UNIQUE INDEX "face_model_produced_by_run_id_key" ON "face_model"("produced_by_run_id");
CREATE INDEX "face_model_trained_on_id_idx" ON "face_model"("trained_on_id");
CREATE UNIQUE INDEX "benchmark_name_key" ON "benchmark"("name");
CREATE INDEX "run_kind_status_idx" ON "run"("kind", "status");
CREATE INDEX "run_group_name_idx" ON "run"("group_name");
CREATE INDEX "run_dataset_id_idx" ON "run"("dataset_id");
CREATE INDEX "run_transfer_method_id_idx" ON "run"("transfer_method_id");
CREATE INDEX "run_created_at_id_idx" ON "run"("created_at", "id");
-- NULLS NOT DISTINCT (PostgreSQL 15+): metrics without a benchmark are unique too,
-- so ON CONFLICT makes a retried logMetrics batch a no-op.
CREATE UNIQUE INDEX "metric_run_id_benchmark_id_name_step_key" ON "metric"("run_id", "benchmark_id", "name", "step") NULLS NOT DISTINCT;
CREATE INDEX "metric_benchmark_id_name_idx" ON "metric"("benchmark_id", "name");
CREATE UNIQUE INDEX "curve_run_id_benchmark_id_kind_key" ON "curve"("run_id", "benchmark_id", "kind") NULLS NOT DISTINCT;

ALTER TABLE "dataset" ADD CONSTRAINT "dataset_source_dataset_id_fkey" FOREIGN KEY ("source_dataset_id") REFERENCES "dataset"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "dataset" ADD CONSTRAINT "dataset_produced_by_run_id_fkey" FOREIGN KEY ("produced_by_run_id") REFERENCES "run"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "dataset" ADD CONSTRAINT "dataset_transfer_method_id_fkey" FOREIGN KEY ("transfer_method_id") REFERENCES "transfer_method"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "transfer_method" ADD CONSTRAINT "transfer_method_trained_on_id_fkey" FOREIGN KEY ("trained_on_id") REFERENCES "dataset"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "face_model" ADD CONSTRAINT "face_model_trained_on_id_fkey" FOREIGN KEY ("trained_on_id") REFERENCES "dataset"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "face_model" ADD CONSTRAINT "face_model_produced_by_run_id_fkey" FOREIGN KEY ("produced_by_run_id") REFERENCES "run"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "run" ADD CONSTRAINT "run_dataset_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "dataset"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "run" ADD CONSTRAINT "run_transfer_method_id_fkey" FOREIGN KEY ("transfer_method_id") REFERENCES "transfer_method"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "run" ADD CONSTRAINT "run_face_model_id_fkey" FOREIGN KEY ("face_model_id") REFERENCES "face_model"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "metric" ADD CONSTRAINT "metric_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "metric" ADD CONSTRAINT "metric_benchmark_id_fkey" FOREIGN KEY ("benchmark_id") REFERENCES "benchmark"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "curve" ADD CONSTRAINT "curve_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "curve" ADD CONSTRAINT "curve_benchmark_id_fkey" FOREIGN KEY ("benchmark_id") REFERENCES "benchmark"("id") ON DELETE CASCADE ON UPDATE CASCADE;
