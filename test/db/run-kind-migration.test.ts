// Migration 20261201100000_run_kind_text: a database migrated up to the migration before it
// holds runs the old way (run.kind a Postgres enum, dataset quality an EVALUATE run marked
// params.mode); applying it keeps every row, turns the quality runs into DATASET_QUALITY runs
// with their ids, metrics and audit events, and leaves the triggers that read run.kind working.
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseBefore, type MigrationDatabase } from "../helpers/migration-database";

const MIGRATION = "20261201100000_run_kind_text";
let database: MigrationDatabase;
let client: pg.Client;
const id: Record<string, string> = {};

const insert = (table: string, values: Record<string, unknown>) => database.insert(table, values);

const runRow = async (runId: string) => (await client.query(`SELECT kind, status, params, config FROM run WHERE id = $1`, [runId])).rows[0];
const counts = async () =>
  Object.fromEntries((await client.query(`SELECT kind, status, runs::int AS n FROM run_count WHERE NOT published AND NOT archived`)).rows.map((r) => [`${r.kind}/${r.status}`, r.n]));

beforeAll(async () => {
  database = await databaseBefore(MIGRATION);
  client = database.client;

  id.lfw = await insert("benchmark", { name: "LFW", protocol: "PAIRS_10FOLD", pair_count: 6000 });
  id.real = await insert("dataset", { name: "CASIA", kind: "REAL", requirement: "NONE" });
  id.digi = await insert("dataset", { name: "DigiFace1M", kind: "SYNTHETIC", requirement: "NONE" });
  id.model = await insert("face_model", { name: "ir50", backbone: "IR50", head: "AdaFace", model_path: "/data/m.onnx", input_spec: {}, trained_on_id: id.real });
  id.transfer = await insert("run", { kind: "TRANSFER", status: "QUEUED", dataset_id: id.digi, params: { outputName: "x", methodOptions: {} } });
  id.evaluate = await insert("run", {
    kind: "EVALUATE", status: "SUCCEEDED", face_model_id: id.model, dataset_id: id.real,
    params: { mode: "model", batchSize: 64, benchmarks: [] },
  });
  id.quality = await insert("run", {
    kind: "EVALUATE", status: "SUCCEEDED", face_model_id: id.model, dataset_id: id.digi,
    params: { mode: "dataset-quality", datasetId: id.digi, referenceDatasetId: id.real, faceModelId: id.model, limit: 40, datasetDir: "/d", referenceDir: "/r", batchSize: 64, maxPairs: 10 },
  });
  await insert("metric", { run_id: id.quality, name: "quality:frechet", value: 12.5 });
  await insert("metric", { run_id: id.evaluate, benchmark_id: id.lfw, name: "accuracy", value: 0.9 });
  await insert("run_audit_event", { run_id: id.quality, actor: "worker host:1", action: "logMetrics", changes: { "quality:frechet": { to: 12.5 } } });
  expect(await counts()).toEqual({ "TRANSFER/QUEUED": 1, "EVALUATE/SUCCEEDED": 2 });

  const applied = await database.migrateRest();
  expect(applied[0]).toBe(MIGRATION);
}, 60_000);

afterAll(async () => {
  await database?.drop();
});

describe("run kind as text", () => {
  it("turns dataset-quality EVALUATE runs into DATASET_QUALITY runs with their id, metrics and audit events", async () => {
    const quality = await runRow(id.quality);
    expect(quality.kind).toBe("DATASET_QUALITY");
    expect(quality.params).not.toHaveProperty("mode");
    expect(quality.params).toMatchObject({ referenceDatasetId: id.real, limit: 40 });
    // Its configuration is recomputed by kind: the measured dataset against the reference.
    expect(quality.config).toEqual({ dataset: "DigiFace1M", "quality.reference": "CASIA", "quality.featureModel": "ir50", "quality.limit": 40 });
    const metrics = await client.query(`SELECT name, value FROM metric WHERE run_id = $1`, [id.quality]);
    expect(metrics.rows).toEqual([{ name: "quality:frechet", value: 12.5 }]);
    const audit = await client.query(`SELECT action FROM run_audit_event WHERE run_id = $1`, [id.quality]);
    expect(audit.rows).toEqual([{ action: "logMetrics" }]);
    // Every other run is untouched.
    expect((await runRow(id.evaluate)).kind).toBe("EVALUATE");
    expect((await runRow(id.evaluate)).params.mode).toBe("model");
    expect((await runRow(id.transfer)).kind).toBe("TRANSFER");
    expect((await client.query(`SELECT count(*)::int AS n FROM run`)).rows[0].n).toBe(3);
  });

  it("keeps the run counts in step, by kind", async () => {
    expect(await counts()).toEqual({ "TRANSFER/QUEUED": 1, "EVALUATE/SUCCEEDED": 1, "DATASET_QUALITY/SUCCEEDED": 1 });
    await client.query(`UPDATE run SET status = 'RUNNING' WHERE id = $1`, [id.transfer]);
    expect(await counts()).toMatchObject({ "TRANSFER/QUEUED": 0, "TRANSFER/RUNNING": 1 });
  });

  it("stores a kind no migration names, and refuses a malformed one", async () => {
    const { rows } = await client.query(`SELECT data_type FROM information_schema.columns WHERE table_name = 'run' AND column_name = 'kind'`);
    expect(rows[0].data_type).toBe("text");
    expect((await client.query(`SELECT count(*)::int AS n FROM pg_type WHERE typname = 'RunKind'`)).rows[0].n).toBe(0);
    const echo = await insert("run", { kind: "ECHO", status: "QUEUED", dataset_id: id.digi, params: { text: "hi" } });
    expect((await runRow(echo)).config).toEqual({ dataset: "DigiFace1M", "echo.text": "hi" });
    expect(await counts()).toMatchObject({ "ECHO/QUEUED": 1 });
    await expect(insert("run", { kind: "not a kind", status: "QUEUED" })).rejects.toThrow(/run_kind_format/);
  });
});
