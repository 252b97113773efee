// The migrations are hand-written SQL (the Prisma schema engine cannot be
// downloaded here), so prove that the migrated database has every model, field,
// enum, index and relation of prisma/schema.prisma with a compatible type.
import { readFile } from "node:fs/promises";
import { getSchema, type Field, type Model, type Enum, type BlockAttribute, type Attribute } from "@mrleebo/prisma-ast";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

const SCALAR_TYPES: Record<string, string[]> = {
  String: ["text", "character varying", "uuid"],
  Int: ["integer"],
  BigInt: ["bigint"],
  Float: ["double precision"],
  Boolean: ["boolean"],
  DateTime: ["timestamp with time zone", "timestamp without time zone"],
  Json: ["jsonb", "json"],
};

function unquote(value: unknown): string {
  return String(value).replace(/^"|"$/g, "");
}

function mapName(attributes: Attribute[] | BlockAttribute[] | undefined, fallback: string): string {
  const map = attributes?.find((a) => a.name === "map");
  return map?.args?.[0] ? unquote(map.args[0].value) : fallback;
}

let database: TestDatabase;
let client: pg.Client;
let models: Model[];
let enums: Enum[];

beforeAll(async () => {
  database = await createTestDatabase();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const schema = getSchema(await readFile(new URL("../../prisma/schema.prisma", import.meta.url), "utf8"));
  models = schema.list.filter((b): b is Model => b.type === "model");
  enums = schema.list.filter((b): b is Enum => b.type === "enum");
});

afterAll(async () => {
  await client?.end();
  await database?.drop();
});

const enumNames = () => new Set(enums.map((e) => e.name));
const modelNames = () => new Set(models.map((m) => m.name));

function scalarFields(model: Model): Field[] {
  return model.properties.filter(
    (p): p is Field => p.type === "field" && !modelNames().has(String(p.fieldType)),
  );
}

function columnOf(model: Model, fieldName: string): string {
  const field = scalarFields(model).find((f) => f.name === fieldName)!;
  return mapName(field.attributes, field.name);
}

describe("migrated database matches prisma/schema.prisma", () => {
  it("has every enum with the same values in order", async () => {
    for (const e of enums) {
      const { rows } = await client.query(
        `SELECT e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = $1 ORDER BY e.enumsortorder`,
        [e.name],
      );
      const values = e.enumerators.filter((x) => x.type === "enumerator").map((x) => (x as { name: string }).name);
      expect(rows.map((r) => r.enumlabel), `enum ${e.name}`).toEqual(values);
    }
  });

  it("has every model's table and every field's column with a compatible type and nullability", async () => {
    expect(models.length).toBeGreaterThan(5);
    for (const model of models) {
      const table = mapName(model.properties.filter((p) => p.type === "attribute") as BlockAttribute[], model.name);
      const { rows } = await client.query(
        `SELECT column_name, data_type, udt_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`,
        [table],
      );
      expect(rows.length, `table ${table} for model ${model.name}`).toBeGreaterThan(0);
      const columns = new Map(rows.map((r) => [r.column_name, r]));
      for (const field of scalarFields(model)) {
        const column = columns.get(mapName(field.attributes, field.name));
        const where = `${model.name}.${field.name}`;
        expect(column, `column for ${where}`).toBeDefined();
        if (enumNames().has(String(field.fieldType))) {
          expect(column.udt_name, where).toBe(field.array ? `_${field.fieldType}` : field.fieldType);
        } else if (field.array) {
          // A scalar list (String[] -> text[]): information_schema says ARRAY, udt_name _text.
          expect(column.data_type, where).toBe("ARRAY");
          expect(SCALAR_TYPES[String(field.fieldType)]!.map((t) => `_${t}`), where).toContain(column.udt_name);
        } else {
          expect(SCALAR_TYPES[String(field.fieldType)], where).toContain(column.data_type);
          if (field.attributes?.some((a) => a.name === "Uuid")) expect(column.data_type, where).toBe("uuid");
        }
        // Prisma lists are nullable columns (an empty list is stored as '{}').
        if (!field.array) expect(column.is_nullable === "YES", `${where} nullability`).toBe(Boolean(field.optional));
      }
      expect(columns.size, `extra columns in ${table}`).toBe(scalarFields(model).length);
    }
  });

  it("has every @id, @unique, @@unique and @@index as an index on the same columns", async () => {
    const { rows } = await client.query(`
      SELECT t.relname AS table, i.indisunique AS unique,
             array_agg(a.attname ORDER BY k.ord)::text[] AS columns
      FROM pg_index i
      JOIN pg_class t ON t.oid = i.indrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
      CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      GROUP BY t.relname, i.indexrelid, i.indisunique`);
    const present = new Set(rows.map((r) => `${r.table}|${r.unique}|${r.columns.join(",")}`));
    let checked = 0;
    for (const model of models) {
      const blockAttributes = model.properties.filter((p) => p.type === "attribute") as BlockAttribute[];
      const table = mapName(blockAttributes, model.name);
      for (const field of scalarFields(model)) {
        for (const attr of field.attributes ?? []) {
          if (attr.name === "id" || attr.name === "unique") {
            expect(present, `${model.name}.${field.name} @${attr.name}`).toContain(`${table}|true|${columnOf(model, field.name)}`);
            checked++;
          }
        }
      }
      for (const attr of blockAttributes) {
        if (attr.name !== "unique" && attr.name !== "index") continue;
        // A field with options (config(ops: JsonbPathOps)) parses as a function call.
        const fields = (attr.args![0]!.value as { args: Array<string | { name: string }> }).args.map((f) => (typeof f === "string" ? f : f.name));
        const key = `${table}|${attr.name === "unique"}|${fields.map((f) => columnOf(model, f)).join(",")}`;
        expect(present, `${model.name} @@${attr.name}(${fields})`).toContain(key);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(15);
  });

  it("has a foreign key for every relation with fields/references", async () => {
    const { rows } = await client.query(`
      SELECT c.conrelid::regclass::text AS table, c.confrelid::regclass::text AS target,
             (SELECT array_agg(a.attname ORDER BY k.ord)::text[] FROM unnest(c.conkey) WITH ORDINALITY k(n, ord)
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n) AS columns
      FROM pg_constraint c WHERE c.contype = 'f'`);
    const present = new Set(rows.map((r) => `${r.table.replaceAll('"', "")}|${r.columns.join(",")}|${r.target.replaceAll('"', "")}`));
    let relations = 0;
    for (const model of models) {
      const table = mapName(model.properties.filter((p) => p.type === "attribute") as BlockAttribute[], model.name);
      for (const field of model.properties) {
        if (field.type !== "field" || !modelNames().has(String(field.fieldType))) continue;
        const relation = field.attributes?.find((a) => a.name === "relation");
        const fieldsArg = relation?.args?.find((a) => (a.value as { key?: string }).key === "fields");
        if (!fieldsArg) continue;
        const columns = ((fieldsArg.value as { value: { args: string[] } }).value.args).map((f) => columnOf(model, f));
        const targetModel = models.find((m) => m.name === field.fieldType)!;
        const target = mapName(targetModel.properties.filter((p) => p.type === "attribute") as BlockAttribute[], targetModel.name);
        expect(present, `${model.name}.${field.name}`).toContain(`${table}|${columns.join(",")}|${target}`);
        relations++;
      }
    }
    expect(relations).toBeGreaterThanOrEqual(12);
  });

  it("records the migrations the way `prisma migrate deploy` does", async () => {
    const { rows } = await client.query(`SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations`);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.applied_steps_count).toBe(1);
    }
  });
});
