import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql, gqlData } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const CREATE = `mutation($input: CreateRunInput!) { createRun(input: $input) { id kind status seed group startedAt finishedAt params } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateRunInput!) { updateRun(id: $id, input: $input) { id status error finishedAt progress { done total phase fraction } } }`;

async function createRun(input: Record<string, unknown>) {
  return (await gqlData(server.url, CREATE, { input })).createRun;
}

describe("createRun / updateRun", () => {
  it("tracks a run that happens elsewhere through its lifecycle", async () => {
    const run = await createRun({ kind: "TRAIN", seed: 7, group: "digiface-cf", params: { lr: 0.1, backbone: "IR50" } });
    expect(run).toMatchObject({ kind: "TRAIN", status: "RUNNING", seed: 7, group: "digiface-cf", params: { lr: 0.1, backbone: "IR50" }, finishedAt: null });
    expect(run.startedAt).toBeTruthy();
    const progressed = await gqlData(server.url, UPDATE, { id: run.id, input: { progress: { done: 5, total: 20, phase: "epoch 1" } } });
    expect(progressed.updateRun.progress).toEqual({ done: 5, total: 20, phase: "epoch 1", fraction: 0.25 });
    const done = await gqlData(server.url, UPDATE, { id: run.id, input: { status: "SUCCEEDED" } });
    expect(done.updateRun.status).toBe("SUCCEEDED");
    expect(done.updateRun.finishedAt).toBeTruthy();
  });

  it("refuses SUCCEEDED -> RUNNING with CONFLICT and leaves the run as it was", async () => {
    const run = await createRun({ kind: "EVALUATE" });
    await gqlData(server.url, UPDATE, { id: run.id, input: { status: "SUCCEEDED" } });
    const result = await gql(server.url, UPDATE, { id: run.id, input: { status: "RUNNING" } });
    expect(result.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    expect(result.errors?.[0]?.message).toMatch(/SUCCEEDED and cannot become RUNNING/);
    const after = await gqlData(server.url, `query($id: ID!) { run(id: $id) { status } }`, { id: run.id });
    expect(after.run.status).toBe("SUCCEEDED");
  });

  it("answers NOT_FOUND for an unknown run and BAD_USER_INPUT for unknown references", async () => {
    const missing = await gql(server.url, UPDATE, { id: "00000000-0000-0000-0000-000000000000", input: { status: "FAILED" } });
    expect(missing.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const badRef = await gql(server.url, CREATE, { input: { kind: "TRAIN", datasetId: "00000000-0000-0000-0000-000000000001" } });
    expect(badRef.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "datasetId" });
    const notUuid = await gql(server.url, `{ run(id: "not-a-uuid") { id } }`);
    expect(notUuid.errors).toBeUndefined();
    expect(notUuid.data).toEqual({ run: null });
  });

  it("never leaks internals in errors", async () => {
    const result = await gql(server.url, CREATE, { input: { kind: "TRAIN", params: [1, 2] } });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "params" });
    expect(JSON.stringify(result.errors)).not.toMatch(/stacktrace|prisma|SELECT/i);
  });
});

describe("runs query", () => {
  it("filters, orders and pages with a Relay connection and totalCount", async () => {
    const group = "paging-group";
    const created: string[] = [];
    for (let i = 0; i < 7; i++) created.push((await createRun({ kind: "TRAIN", group, seed: i })).id);
    await gqlData(server.url, UPDATE, { id: created[0], input: { status: "FAILED", error: "out of memory" } });

    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page: any = (await gqlData(
        server.url,
        `query($after: String) { runs(filter: { group: "${group}" }, orderBy: { field: CREATED_AT, direction: ASC }, first: 3, after: $after) {
           totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id seed } } } }`,
        { after },
      )).runs;
      expect(page.totalCount).toBe(7);
      seen.push(...page.edges.map((e: any) => e.node.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      pages++;
    } while (after);
    expect(pages).toBe(3);
    expect(seen).toEqual(created);

    const failed = await gqlData(server.url, `{ runs(filter: { group: "${group}", status: [FAILED] }) { totalCount nodes { id error } } }`);
    expect(failed.runs).toEqual({ totalCount: 1, nodes: [{ id: created[0], error: "out of memory" }] });

    const published = await gqlData(server.url, `{ runs(filter: { published: true }) { totalCount nodes { published source kind status } } }`);
    expect(published.runs.totalCount).toBe(6);
    expect(published.runs.nodes.every((r: any) => r.published && r.kind === "EVALUATE" && r.status === "SUCCEEDED" && r.source.includes("Rahimi"))).toBe(true);

    const bad = await gql(server.url, `{ runs(after: "garbage") { totalCount } }`);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "after" });
  });
});
