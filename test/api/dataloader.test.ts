// One nested query over 100 runs with their datasets, methods and metrics must
// cost a constant number of SQL statements (DataLoader per request), not 1 + N.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createLoaders } from "../../src/graphql/loaders";
import { gqlData } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";

let server: TestServer;
const statements: string[] = [];
beforeAll(async () => {
  server = await startTestServer({}, { onDatabaseQuery: (sql) => statements.push(sql) });
});
afterAll(() => server?.close());

const NESTED = `query($first: Int) { runs(first: $first, filter: { kind: TRAIN }) {
  totalCount
  nodes { id seed dataset { name sourceDataset { name } } transferMethod { name trainedOn { name } }
          metrics { name value benchmark { name } } lfw: metrics(benchmark: "LFW") { value } } } }`;

async function statementsFor(first: number): Promise<number> {
  statements.length = 0;
  const data = await gqlData(server.url, NESTED, { first });
  expect(data.runs.nodes).toHaveLength(first);
  expect(data.runs.nodes[0].metrics.length).toBe(3);
  return statements.length;
}

it("keeps the number of SQL statements constant from 10 to 100 runs", async () => {
  const catalogue = await gqlData(server.url, `{ datasets { id name } transferMethods { id name } }`);
  const datasets = catalogue.datasets.map((d: any) => d.id);
  const methods = catalogue.transferMethods.map((m: any) => m.id);
  for (let i = 0; i < 100; i++) {
    const run = await gqlData(
      server.url,
      `mutation($input: CreateRunInput!) { createRun(input: $input) { id } }`,
      { input: { kind: "TRAIN", seed: i, datasetId: datasets[i % datasets.length], transferMethodId: methods[i % methods.length] } },
    );
    await gqlData(
      server.url,
      `mutation($id: ID!) { logMetrics(runId: $id, points: [
        { name: "accuracy", value: 0.9, benchmark: "LFW" }, { name: "accuracy", value: 0.8, benchmark: "CFP-FP" }, { name: "loss", value: 0.1 }]) { inserted } }`,
      { id: run.createRun.id },
    );
  }
  const forTen = await statementsFor(10);
  const forHundred = await statementsFor(100);
  expect(forTen).toBeGreaterThanOrEqual(6); // the listener really sees the statements
  expect(forHundred).toBe(forTen);
  // page + count, datasets, methods (+ their trained-on datasets), benchmarks once, metrics for each of the two filters
  expect(forHundred).toBeLessThanOrEqual(8);
});

it("answers a dataset or method already loaded in this request without a promise, and never when uncached", async () => {
  const stores = server.app.services.stores;
  const { datasets, transferMethods } = await gqlData(server.url, `{ datasets { id name } transferMethods { id name } }`);
  const [dataset, method] = [datasets[0], transferMethods[0]];
  const missing = randomUUID();

  const loaders = createLoaders(stores);
  expect(loaders.loadedDataset(dataset.id)).toBeUndefined();
  await loaders.dataset.loadMany([dataset.id, missing]);
  expect(loaders.loadedDataset(dataset.id)).toMatchObject({ id: dataset.id, name: dataset.name });
  expect(loaders.loadedDataset(missing)).toBeNull(); // loaded, and absent
  await loaders.transferMethod.load(method.id);
  expect(loaders.loadedTransferMethod(method.id)).toMatchObject({ id: method.id, name: method.name });

  // Subscriptions' loaders keep nothing, so they never answer from memory.
  const uncached = createLoaders(stores, { cache: false });
  await uncached.dataset.load(dataset.id);
  expect(uncached.loadedDataset(dataset.id)).toBeUndefined();
});
