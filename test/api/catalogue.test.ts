import { mkdir, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildEmbeddingModel, buildTanhGeneratorModel, embeddingModelSpec, tanhGeneratorSpec } from "../../src/fixtures";
import { gql, gqlData } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const VALID_SPEC = tanhGeneratorSpec(64) as { input: Record<string, unknown> };

describe("seeded catalogue", () => {
  it("holds the paper's datasets, methods with Table 1 figures, and benchmarks", async () => {
    const data = await gqlData(
      server.url,
      `{ datasets { name kind requirement }
         transferMethods { name family publishedSecondsPerImage qualitative trainedOn { name } }
         benchmarks { name protocol pairCount } }`,
    );
    expect(data.datasets.map((d: any) => d.name).sort()).toEqual(["DCFace", "DigiFace1M", "FFHQ", "IDiffFace", "WebFace4M"]);
    expect(data.datasets.find((d: any) => d.name === "DigiFace1M")).toEqual({ name: "DigiFace1M", kind: "SYNTHETIC", requirement: "NONE" });
    expect(data.datasets.find((d: any) => d.name === "DCFace").requirement).toBe("PRETRAINED_FR");
    const methods = Object.fromEntries(data.transferMethods.map((m: any) => [m.name, m]));
    expect(Object.keys(methods).sort()).toEqual(
      ["CodeFormer", "DDIM Inversion", "DECENT", "StyleGAN Inversion", "UNSB-NE-1", "UNSB-NE-5", "VSAIT"],
    );
    expect(methods.CodeFormer).toMatchObject({ family: "FACE_RESTORATION", publishedSecondsPerImage: 0.41, qualitative: "GOOD", trainedOn: { name: "FFHQ" } });
    expect(methods.VSAIT.publishedSecondsPerImage).toBe(0.015);
    expect(methods["DDIM Inversion"]).toMatchObject({ family: "DIFFUSION_INVERSION", publishedSecondsPerImage: 8.7 });
    expect(methods["StyleGAN Inversion"].publishedSecondsPerImage).toBeNull();
    expect(data.benchmarks.map((b: any) => `${b.name}:${b.pairCount}`)).toEqual([
      "LFW:6000", "CFP-FP:7000", "CPLFW:6000", "CALFW:6000", "AgeDB-30:6000", "IJB-C:15658489", "IJB-B:8010270",
    ]);
  });
});

describe("createDataset", () => {
  it("creates a dataset in a data root and shows its lineage", async () => {
    const folder = path.join(server.dataRoot, "digiface-codeformer");
    await mkdir(folder);
    const source = await gqlData(server.url, `{ dataset(name: "DigiFace1M") { id } }`);
    const method = await gqlData(server.url, `{ transferMethod(name: "CodeFormer") { id } }`);
    const created = await gqlData(
      server.url,
      `mutation($input: CreateDatasetInput!) { createDataset(input: $input) {
         name kind uri sourceDataset { name } transferMethod { name } lineage { name } } }`,
      { input: { name: "RealDigiFace-CF", kind: "REALISM_TRANSFERRED", requirement: "NONE", uri: folder, imageCount: 10,
        sourceDatasetId: source.dataset.id, transferMethodId: method.transferMethod.id } },
    );
    expect(created.createDataset).toEqual({
      name: "RealDigiFace-CF", kind: "REALISM_TRANSFERRED", uri: folder,
      sourceDataset: { name: "DigiFace1M" }, transferMethod: { name: "CodeFormer" },
      lineage: [{ name: "DigiFace1M" }, { name: "RealDigiFace-CF" }],
    });
    const parent = await gqlData(server.url, `{ dataset(name: "DigiFace1M") { derivedDatasets { name } } }`);
    expect(parent.dataset.derivedDatasets).toEqual([{ name: "RealDigiFace-CF" }]);
  });

  it("refuses a duplicate name with CONFLICT and keeps the original", async () => {
    const result = await gql(server.url, `mutation { createDataset(input: { name: "DigiFace1M", kind: REAL }) { id } }`);
    expect(result.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    expect(result.errors?.[0]?.message).toContain("DigiFace1M");
    const still = await gqlData(server.url, `{ dataset(name: "DigiFace1M") { kind } }`);
    expect(still.dataset.kind).toBe("SYNTHETIC");
  });

  it("refuses folders outside the data roots, including through a symlink", async () => {
    const outside = await gql(server.url, `mutation($uri: String) { createDataset(input: { name: "x1", kind: REAL, uri: $uri }) { id } }`, { uri: os.tmpdir() });
    expect(outside.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "uri" });
    expect(outside.errors?.[0]?.message).toMatch(/outside the data roots/);
    const link = path.join(server.dataRoot, "escape");
    await symlink("/etc", link);
    const escaped = await gql(server.url, `mutation($uri: String) { createDataset(input: { name: "x2", kind: REAL, uri: $uri }) { id } }`, { uri: link });
    expect(escaped.errors?.[0]?.message).toMatch(/outside the data roots/);
    const traversal = await gql(server.url, `mutation($uri: String) { createDataset(input: { name: "x3", kind: REAL, uri: $uri }) { id } }`, { uri: `${server.dataRoot}/../..` });
    expect(traversal.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const none = await gqlData(server.url, `{ datasets { name } }`);
    expect(none.datasets.map((d: any) => d.name)).not.toContain("x1");
  });

  it("needs a source for a transferred dataset", async () => {
    const result = await gql(server.url, `mutation { createDataset(input: { name: "orphan", kind: REALISM_TRANSFERRED }) { id } }`);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "sourceDatasetId" });
  });
});

describe("registerTransferMethod and registerFaceModel", () => {
  it("registers a method with an ONNX model path and a validated input spec", async () => {
    const model = path.join(server.dataRoot, "gen.onnx");
    await writeFile(model, buildTanhGeneratorModel({ size: 64 }));
    const data = await gqlData(
      server.url,
      `mutation($input: RegisterTransferMethodInput!) { registerTransferMethod(input: $input) { name modelPath inputSpec defaultOptions } }`,
      { input: { name: "MyGen", family: "UNPAIRED_I2I", modelPath: model, inputSpec: VALID_SPEC, defaultOptions: { steps: 1 } } },
    );
    expect(data.registerTransferMethod.modelPath).toBe(model);
    expect(data.registerTransferMethod.inputSpec.input.width).toBe(64);
    expect(data.registerTransferMethod.defaultOptions).toEqual({ steps: 1 });
  });

  it("names the wrong field of a bad input spec", async () => {
    const model = path.join(server.dataRoot, "gen2.onnx");
    await writeFile(model, buildTanhGeneratorModel({ size: 64 }));
    const result = await gql(
      server.url,
      `mutation($input: RegisterTransferMethodInput!) { registerTransferMethod(input: $input) { id } }`,
      { input: { name: "Broken", family: "UNPAIRED_I2I", modelPath: model, inputSpec: { ...VALID_SPEC, input: { ...VALID_SPEC.input, width: -3 } } } },
    );
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "inputSpec" });
    expect(result.errors?.[0]?.message).toContain("inputSpec.input.width");
  });

  it("registers a face model trained on a dataset", async () => {
    const model = path.join(server.dataRoot, "ir50.onnx");
    await writeFile(model, buildEmbeddingModel());
    const dataset = await gqlData(server.url, `{ dataset(name: "DigiFace1M") { id } }`);
    const spec = embeddingModelSpec();
    const data = await gqlData(
      server.url,
      `mutation($input: RegisterFaceModelInput!) { registerFaceModel(input: $input) { name backbone head trainedOn { name } inputSpec } }`,
      { input: { name: "ir50-digi", backbone: "IR50", head: "AdaFace", trainedOnId: dataset.dataset.id, modelPath: model, inputSpec: spec } },
    );
    expect(data.registerFaceModel).toMatchObject({ name: "ir50-digi", backbone: "IR50", head: "AdaFace", trainedOn: { name: "DigiFace1M" } });
    const missing = await gql(
      server.url,
      `mutation($input: RegisterFaceModelInput!) { registerFaceModel(input: $input) { id } }`,
      { input: { name: "ghost", backbone: "IR50", head: "AdaFace", modelPath: path.join(server.dataRoot, "nope.onnx"), inputSpec: spec } },
    );
    expect(missing.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "modelPath" });
  });
});
