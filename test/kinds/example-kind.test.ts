// A run kind added from outside src/: the ECHO kind of test/fixtures/kinds/echo is handed to
// startApp's `kinds`. Without editing SDL, resolvers, authorization or the worker, it appears in
// the RunKind enum and the runKinds query, launches through the generic launchRun mutation with
// its own params checks, and an in-process worker runs its job to SUCCEEDED.
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql, gqlData } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { echoKind } from "../fixtures/kinds/echo";

const LAUNCH = `mutation($kind: RunKind!, $params: JSON!) { launchRun(kind: $kind, params: $params) { id kind status params } }`;
const RUN = `query($id: ID!) { run(id: $id) { id kind status error details progress { done total } dataset { name } } }`;

let server: TestServer;
let datasetId: string;

async function waitForEnd(id: string) {
  for (let i = 0; i < 200; i++) {
    const { run } = await gqlData(server.url, RUN, { id });
    if (["SUCCEEDED", "FAILED", "CANCELLED"].includes(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`run ${id} did not finish`);
}

beforeAll(async () => {
  server = await startTestServer({ WORKER_IN_PROCESS: "true" }, { kinds: [echoKind] });
  const folder = path.join(server.dataRoot, "echo-set");
  for (const identity of ["a", "b"]) {
    await mkdir(path.join(folder, identity), { recursive: true });
    for (const file of ["1.png", "2.png", "3.png"]) await writeFile(path.join(folder, identity, file), "not really an image");
  }
  const created = await gqlData(server.url, `mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }`, {
    input: { name: "echo-set", kind: "SYNTHETIC", uri: folder },
  });
  datasetId = created.createDataset.id;
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe("a run kind from the registry's extension point", () => {
  it("is listed by runKinds and in the RunKind enum, after the built-in kinds", async () => {
    const { runKinds } = await gqlData(server.url, `{ runKinds { name label description runnable } }`);
    expect(runKinds.map((k: { name: string }) => k.name)).toEqual(["TRANSFER", "TRAIN", "EVALUATE", "DATASET_QUALITY", "ECHO"]);
    expect(runKinds.at(-1)).toEqual({ name: "ECHO", label: "Echo", description: echoKind.description, runnable: true });
    const { __type } = await gqlData(server.url, `{ __type(name: "RunKind") { enumValues { name description } } }`);
    expect(__type.enumValues.map((v: { name: string }) => v.name)).toContain("ECHO");
    expect(__type.enumValues.find((v: { name: string }) => v.name === "DATASET_QUALITY").description).toMatch(/^Dataset quality: /);
  });

  it("launches through launchRun and a worker runs it to SUCCEEDED with its outcome", async () => {
    const { launchRun } = await gqlData(server.url, LAUNCH, { kind: "ECHO", params: { text: "realism", rounds: 25, datasetId } });
    expect(launchRun).toHaveLength(1);
    expect(launchRun[0]).toMatchObject({ kind: "ECHO", status: "QUEUED", params: { text: "realism", rounds: 25 } });
    const run = await waitForEnd(launchRun[0].id);
    expect(run.error).toBeNull();
    expect(run.status).toBe("SUCCEEDED");
    let digest = "realism";
    for (let i = 0; i < 25; i++) digest = createHash("sha256").update(digest).digest("hex");
    expect(run.details).toMatchObject({ echo: "realism", sha256: digest, rounds: 25, files: 6 });
    expect(run.progress).toMatchObject({ done: 25, total: 25 });
    expect(run.dataset).toEqual({ name: "echo-set" });
    // Runs of the new kind are filterable like any other.
    const { runs } = await gqlData(server.url, `{ runs(filter: { kind: ECHO }) { totalCount nodes { id } } }`);
    expect(runs.nodes.map((n: { id: string }) => n.id)).toEqual([launchRun[0].id]);
  });

  it("refuses bad params with the field, before writing anything", async () => {
    const tooMany = await gql(server.url, LAUNCH, { kind: "ECHO", params: { text: "x", rounds: 0 } });
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "rounds" });
    const missing = await gql(server.url, LAUNCH, { kind: "ECHO", params: { text: "x", rounds: 1, datasetId: "00000000-0000-4000-8000-000000000000" } });
    expect(missing.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "datasetId" });
    expect(missing.errors?.[0]?.message).toMatch(/does not exist/);
    const typo = await gql(server.url, LAUNCH, { kind: "ECHO", params: { text: "x", rounds: 1, round: 2 } });
    expect(typo.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "round" });
    const long = await gql(server.url, LAUNCH, { kind: "ECHO", params: { text: "x".repeat(1_001), rounds: 1 } });
    expect(long.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "text" });
    const { runs } = await gqlData(server.url, `{ runs(filter: { kind: ECHO }) { totalCount } }`);
    expect(runs.totalCount).toBe(1);
  });

  it("launches built-in kinds through launchRun too, with their own checks", async () => {
    const transfer = await gql(server.url, LAUNCH, { kind: "TRANSFER", params: { datasetId, methodId: "nope" } });
    expect(transfer.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "methodId" });
    const quality = await gql(server.url, LAUNCH, { kind: "DATASET_QUALITY", params: { datasetId, faceModelId: "m", referenceDatasetId: datasetId } });
    expect(quality.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "referenceDatasetId" });
  });
});

describe("a server without the kind", () => {
  it("does not know it: the enum refuses it", async () => {
    const plain = await startTestServer();
    try {
      const answer = await gql(plain.url, LAUNCH, { kind: "ECHO", params: { text: "x", rounds: 1 } });
      expect(answer.errors?.[0]?.message).toMatch(/RunKind/);
      const { runKinds } = await gqlData(plain.url, `{ runKinds { name } }`);
      expect(runKinds.map((k: { name: string }) => k.name)).toEqual(["TRANSFER", "TRAIN", "EVALUATE", "DATASET_QUALITY"]);
    } finally {
      await plain.close();
    }
  }, 60_000);
});
