// Copying a Slurm job's output file into the run log (job-output.ts) on a real Postgres
// and real files, no cluster: whole lines while the job may still write, at most
// CHUNK_BYTES per pass and TOTAL_BYTES per run, the offset kept on the run, and two
// passes racing for one part copying it once.
import { appendFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/prisma";
import { createStores, type Stores } from "../../src/db/stores";
import { CHUNK_BYTES, copyJobOutput, TOTAL_BYTES } from "../../src/executors/slurm/job-output";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

let database: TestDatabase;
let db: Database;
let stores: Stores;
let dir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  db = openDatabase(database.url, { max: 4 });
  stores = createStores(db.prisma);
  dir = await mkdtemp(path.join(os.tmpdir(), "realismlab-job-output-"));
}, 60_000);

afterAll(async () => {
  await db?.close();
  await database?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const newRun = () => db.prisma.run.create({ data: { kind: "TRAIN", status: "RUNNING", executor: "slurm", executorJobId: "1" } });
const reload = async (id: string) => (await stores.runs.byIds([id]))[0]!;
const jobLines = async (id: string) => (await stores.trainers.logTail(id, 2_000)).filter((l) => l.stream === "job").map((l) => l.line);

describe("copyJobOutput", () => {
  it("copies whole lines while the job runs, the unfinished last line once it ended", async () => {
    const run = await newRun();
    const file = path.join(dir, `${run.id}.out`);
    expect(await copyJobOutput(stores, run, file, false)).toBe(0); // no file yet
    await writeFile(file, "first line\nsecond");
    expect(await copyJobOutput(stores, await reload(run.id), file, false)).toBe("first line\n".length);
    expect(await jobLines(run.id)).toEqual(["first line"]);
    await appendFile(file, " line\nthird");
    await copyJobOutput(stores, await reload(run.id), file, false);
    expect(await jobLines(run.id)).toEqual(["first line", "second line"]);
    await copyJobOutput(stores, await reload(run.id), file, true);
    expect(await jobLines(run.id)).toEqual(["first line", "second line", "third"]);
    expect((await reload(run.id)).executorLogOffset).toBe("first line\nsecond line\nthird".length);
    expect(await copyJobOutput(stores, await reload(run.id), file, true)).toBe(0);
  });

  it("reads at most CHUNK_BYTES a pass and TOTAL_BYTES a run, then says where the rest is", async () => {
    const run = await newRun();
    const file = path.join(dir, `${run.id}.out`);
    const line = `${"x".repeat(99)}\n`;
    await writeFile(file, line.repeat(Math.ceil((TOTAL_BYTES * 1.5) / line.length)));
    let passes = 0;
    for (;;) {
      const copied = await copyJobOutput(stores, await reload(run.id), file, false);
      if (!copied) break;
      expect(copied).toBeLessThanOrEqual(CHUNK_BYTES);
      passes++;
    }
    expect(passes).toBeGreaterThanOrEqual(TOTAL_BYTES / CHUNK_BYTES);
    expect((await reload(run.id)).executorLogOffset).toBe(TOTAL_BYTES);
    const lines = await jobLines(run.id);
    expect(lines.at(-1)).toBe(`[job output beyond ${TOTAL_BYTES} bytes is not copied; see ${file}]`);
    expect(lines.length).toBeLessThanOrEqual(2_000); // the run log keeps its newest lines only
  });

  it("copies a part once when two passes race for it", async () => {
    const run = await newRun();
    const file = path.join(dir, `${run.id}.out`);
    await writeFile(file, "only once\n");
    const copied = await Promise.all([copyJobOutput(stores, run, file, false), copyJobOutput(stores, run, file, false)]);
    expect(copied.sort()).toEqual([0, "only once\n".length]);
    expect(await jobLines(run.id)).toEqual(["only once"]);
  });
});
