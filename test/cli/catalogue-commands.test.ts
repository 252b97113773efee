// The catalogue commands of the CLI against a real server with auth on: register
// and list face models and methods, trainers given as argv, a seeded dataset's
// folder, descriptions, archiving and restoring by name, and their refusals.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDemoFixtures, type DemoFixtures } from "../../src/fixtures";
import { gqlData } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { cli, cliEnv, describeResult, ids, UUID } from "./helpers";

let server: TestServer;
let env: Record<string, string>;
let fixtures: DemoFixtures;

async function ok(args: string[]) {
  const result = await cli(args, env);
  expect(result.code, `realismlab ${args.join(" ")}\n${describeResult(result)}`).toBe(0);
  return result;
}

beforeAll(async () => {
  server = await startTestServer({ AUTH_REQUIRED: "true" });
  env = cliEnv(server.url, { REALISMLAB_TOKEN: (await server.app.services.auth.createToken({ name: "cli admin", scopes: ["ADMIN"] })).secret });
  fixtures = await buildDemoFixtures(path.join(server.dataRoot, "fixtures"), { modelSize: 64, identities: 2, imagesPerIdentity: 2 });
}, 120_000);
afterAll(() => server?.close());

describe("realismlab models", () => {
  it("registers a face model with the spec beside it and lists it", async () => {
    const registered = await ok(["models", "register", "--name", "ir50-fixture", "--model", fixtures.models.embeddingSingle.path, "--backbone", "IR50", "--head", "ArcFace", "--trained-on", "DigiFace1M"]);
    expect(ids(registered)[0]).toMatch(UUID);
    expect(registered.stderr).toContain("Registered face model ir50-fixture (IR50 + ArcFace)");
    expect((await ok(["models", "list"])).stdout).toMatch(/ir50-fixture\s+IR50 \+ ArcFace\s+DigiFace1M/);
    const mismatch = await cli(["models", "register", "--name", "bad", "--model", fixtures.models.embeddingSingle.path, "--spec", fixtures.models.codeformerLike.path.replace(/\.onnx$/, ".spec.json"), "--backbone", "b", "--head", "h"], env);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toContain("BAD_USER_INPUT");
  });
});

describe("realismlab methods and trainers", () => {
  it("registers a method with its model and default options, and a trainer given as argv", async () => {
    const method = await ok(["methods", "register", "--name", "UNSB-mine", "--family", "unpaired_i2i", "--model", fixtures.models.unsbLike.path, "--option", "steps=5", "--description", "our UNSB export"]);
    const [id] = ids(method);
    const { transferMethod } = await gqlData(server.url, `query($id: ID) { transferMethod(id: $id) { name family defaultOptions description modelPath } }`, { id });
    expect(transferMethod).toEqual({ name: "UNSB-mine", family: "UNPAIRED_I2I", defaultOptions: { steps: 5 }, description: "our UNSB export", modelPath: fixtures.models.unsbLike.path });

    const specFile = path.join(server.dataRoot, "embedding.spec.json");
    await writeFile(specFile, JSON.stringify(fixtures.models.embeddingSingle.spec));
    await ok(["trainers", "register", "--name", "argv-trainer", "--arg", "python", "--arg", "train.py", "--arg=--data", "--arg", "{datasetPath}", "--spec", specFile, "--backbone", "IR50", "--head", "AdaFace", "--env", "OMP_NUM_THREADS=2"]);
    const trainers = JSON.parse((await ok(["trainers", "list", "--json"])).stdout);
    expect(trainers).toEqual([expect.objectContaining({ name: "argv-trainer", command: ["python", "train.py", "--data", "{datasetPath}"], modelOutput: "{outputDir}/model.onnx", environment: { OMP_NUM_THREADS: "2" } })]);
  });
});

describe("editing the seeded catalogue", () => {
  it("sets DigiFace1M's folder, edits descriptions, archives and restores by name", async () => {
    await ok(["datasets", "set-folder", "DigiFace1M", "--folder", fixtures.dataset.dir, "--images", "4"]);
    expect((await gqlData(server.url, `{ dataset(name: "DigiFace1M") { uri imageCount } }`)).dataset).toEqual({ uri: fixtures.dataset.dir, imageCount: 4 });

    await ok(["methods", "describe", "VSAIT", "--description", "VSAIT, 256x256"]);
    await ok(["datasets", "describe", "FFHQ", "--clear"]);
    const described = await gqlData(server.url, `{ transferMethod(name: "VSAIT") { description } dataset(name: "FFHQ") { description } }`);
    expect(described).toEqual({ transferMethod: { description: "VSAIT, 256x256" }, dataset: { description: null } });
    const neither = await cli(["methods", "describe", "VSAIT"], env);
    expect(neither.code).toBe(2);

    await ok(["archive", "dataset", "IDiffFace", "DCFace"]);
    await ok(["archive", "method", "DECENT"]);
    expect((await ok(["datasets", "list"])).stdout).not.toMatch(/IDiffFace|DCFace/);
    expect((await ok(["datasets", "list", "--archived"])).stdout).toMatch(/DCFace \(archived\)/);
    expect((await ok(["methods", "list"])).stdout).not.toContain("DECENT");
    // A typo archives nothing, not even the names before it.
    const typo = await cli(["archive", "dataset", "FFHQ", "WebFace5M"], env);
    expect(typo.code).toBe(2);
    expect((await ok(["datasets", "list"])).stdout).toContain("FFHQ");
    // Restoring finds archived names.
    await ok(["restore", "dataset", "dcface", "IDiffFace"]);
    await ok(["restore", "method", "DECENT"]);
    expect((await ok(["datasets", "list"])).stdout).toMatch(/DCFace/);
    expect((await ok(["methods", "list"])).stdout).toContain("DECENT");

    const reader = (await server.app.services.auth.createToken({ name: "reader", scopes: ["READ", "WRITE"] })).secret;
    const refused = await cli(["archive", "method", "VSAIT"], { ...env, REALISMLAB_TOKEN: reader });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("FORBIDDEN");
  });
});
