// Migration 20261130100000_run_config on a database that already holds runs: a database
// migrated up to the migration before it gets a transfer -> training -> evaluation chain,
// a published result and an externally tracked evaluation, written as the old schema
// allowed; applying the migration fills every run's config and config_key from its
// lineage. Then the triggers keep them current when lineage changes later.
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseBefore, type MigrationDatabase } from "../helpers/migration-database";

const MIGRATION = "20261130100000_run_config";
let database: MigrationDatabase;
let client: pg.Client;
const id: Record<string, string> = {};

const insert = (table: string, values: Record<string, unknown>) => database.insert(table, values);

const configOf = async (runId: string) => (await client.query(`SELECT config, config_key FROM run WHERE id = $1`, [runId])).rows[0];

beforeAll(async () => {
  database = await databaseBefore(MIGRATION);
  client = database.client;

  id.lfw = await insert("benchmark", { name: "LFW", protocol: "PAIRS_10FOLD", pair_count: 6000 });
  id.digi = await insert("dataset", { name: "DigiFace1M", kind: "SYNTHETIC", requirement: "NONE" });
  id.codeformer = await insert("transfer_method", { name: "CodeFormer", family: "FACE_RESTORATION" });
  id.transfer = await insert("run", {
    kind: "TRANSFER", status: "SUCCEEDED", seed: 3, dataset_id: id.digi, transfer_method_id: id.codeformer,
    params: { outputName: "digi-cf", outputDir: "/data/transfers/digi-cf", sourceDir: "/data/digi", batchSize: 8, maxFailureShare: 0.01, limit: null, methodOptions: { fidelityWeight: 0.5 } },
  });
  id.transferred = await insert("dataset", {
    name: "digi-cf", kind: "REALISM_TRANSFERRED", requirement: "NONE", source_dataset_id: id.digi, transfer_method_id: id.codeformer, produced_by_run_id: id.transfer,
  });
  id.trainer = await insert("trainer", {
    name: "ir50", command: ["python", "train.py"], working_directory: "/work", model_output: "{outputDir}/model.onnx", input_spec: {}, backbone: "IR50", head: "AdaFace",
  });
  id.train = await insert("run", {
    kind: "TRAIN", status: "SUCCEEDED", seed: 7, dataset_id: id.transferred, transfer_method_id: id.codeformer, trainer_id: id.trainer, params: { epochs: 20, lr: 0.1 },
  });
  id.model = await insert("face_model", { name: "ir50-digi-cf-7", backbone: "IR50", head: "AdaFace", model_path: "/data/runs/m.onnx", input_spec: {}, trained_on_id: id.transferred, produced_by_run_id: id.train });
  id.evaluate = await insert("run", {
    kind: "EVALUATE", status: "SUCCEEDED", seed: 7, dataset_id: id.transferred, transfer_method_id: id.codeformer, face_model_id: id.model,
    params: { mode: "model", batchSize: 64, allowNonStandardSize: true, useDetectorScore: true, benchmarks: [{ benchmarkId: id.lfw, name: "LFW", protocol: "PAIRS_10FOLD", dataPath: "/data/lfw-300.bin", pairs: 300 }] },
  });
  id.published = await insert("run", {
    kind: "EVALUATE", status: "SUCCEEDED", source: "Rahimi et al.", dataset_id: id.digi, transfer_method_id: id.codeformer,
    params: { trainingDataset: "DigiFace1M", transferMethod: "CodeFormer", requirement: "NONE" },
  });
  id.external = await insert("run", { kind: "EVALUATE", status: "SUCCEEDED", seed: 2, dataset_id: id.digi, params: { lr: 0.1, seed: 2 } });

  const applied = await database.migrateRest();
  expect(applied[0]).toBe(MIGRATION); // later migrations (other features) follow it
  expect([...applied].sort()).toEqual(applied);
}, 60_000);

afterAll(async () => {
  await database?.drop();
});

describe("migration backfill", () => {
  it("gives existing runs their effective configuration from their lineage", async () => {
    const transferConfig = { dataset: "DigiFace1M", "transfer.method": "CodeFormer", "transfer.fidelityWeight": 0.5, "transfer.seed": 3 };
    expect((await configOf(id.transfer)).config).toEqual(transferConfig);
    const trainConfig = { ...transferConfig, "train.trainer": "ir50", "train.backbone": "IR50", "train.head": "AdaFace", "train.epochs": 20, "train.lr": 0.1, "train.seed": 7 };
    expect((await configOf(id.train)).config).toEqual(trainConfig);
    // The evaluation: everything upstream, its off-protocol size, none of its mechanics.
    expect((await configOf(id.evaluate)).config).toEqual({ ...trainConfig, "evaluate.nonStandard": { LFW: "300 of 6000 pairs" } });
    expect((await configOf(id.published)).config).toEqual({ dataset: "DigiFace1M", "transfer.method": "CodeFormer" });
    expect((await configOf(id.external)).config).toEqual({ dataset: "DigiFace1M", "evaluate.lr": 0.1, "evaluate.seed": 2 });
  });

  it("keys every configuration without its seeds", async () => {
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM run WHERE config_key IS NULL OR config_key !~ '^[0-9a-f]{32}$'`);
    expect(rows[0].n).toBe(0);
    // Another seed of the same training is the same configuration; another lr is not.
    const sameConfig = await insert("run", { kind: "TRAIN", status: "QUEUED", seed: 8, dataset_id: id.transferred, trainer_id: id.trainer, params: { epochs: 20, lr: 0.1 } });
    const otherLr = await insert("run", { kind: "TRAIN", status: "QUEUED", seed: 7, dataset_id: id.transferred, trainer_id: id.trainer, params: { epochs: 20, lr: 0.01 } });
    const key = (await configOf(id.train)).config_key;
    expect((await configOf(sameConfig)).config_key).toBe(key);
    expect((await configOf(otherLr)).config_key).not.toBe(key);
    const { rows: indexes } = await client.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'run' AND indexname = 'run_config_key_idx'`);
    expect(indexes).toHaveLength(1);
  });
});

describe("lineage learnt later", () => {
  it("updates downstream runs when a trainer is renamed or a model is linked to its training run", async () => {
    await client.query(`UPDATE trainer SET name = 'ir50-v2' WHERE id = $1`, [id.trainer]);
    expect((await configOf(id.train)).config["train.trainer"]).toBe("ir50-v2");
    expect((await configOf(id.evaluate)).config["train.trainer"]).toBe("ir50-v2");

    // A face model registered without its training run, evaluated, then linked.
    const model = await insert("face_model", { name: "late", backbone: "IR50", head: "AdaFace", model_path: "/m.onnx", input_spec: {}, trained_on_id: id.transferred });
    const evaluation = await insert("run", { kind: "EVALUATE", status: "SUCCEEDED", face_model_id: model, dataset_id: id.transferred, params: { mode: "model", batchSize: 8, benchmarks: [] } });
    expect((await configOf(evaluation)).config).toEqual({
      dataset: "DigiFace1M", "transfer.method": "CodeFormer", "transfer.fidelityWeight": 0.5, "transfer.seed": 3, "train.backbone": "IR50", "train.head": "AdaFace",
    });
    const train2 = await insert("run", { kind: "TRAIN", status: "SUCCEEDED", seed: 9, dataset_id: id.transferred, trainer_id: id.trainer, params: { epochs: 5 } });
    await client.query(`UPDATE face_model SET produced_by_run_id = $1 WHERE id = $2`, [train2, model]);
    expect((await configOf(evaluation)).config).toMatchObject({ "train.epochs": 5, "train.seed": 9, "train.trainer": "ir50-v2" });

    // The transfer's method renamed: transfer, training and evaluation all follow.
    await client.query(`UPDATE transfer_method SET name = 'CodeFormer-v2' WHERE id = $1`, [id.codeformer]);
    for (const run of [id.transfer, id.train, id.evaluate, evaluation, id.published]) {
      expect((await configOf(run)).config["transfer.method"], run).toBe("CodeFormer-v2");
    }
  });

  it("leaves runs alone on writes that do not touch lineage", async () => {
    const before = await configOf(id.evaluate);
    await client.query(`UPDATE run SET status = 'SUCCEEDED', progress_done = 5, heartbeat_at = now() WHERE id = $1`, [id.evaluate]);
    expect(await configOf(id.evaluate)).toEqual(before);
  });
});
