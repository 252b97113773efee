// Registers the fixture dataset and a fixture transfer model through the public
// API, as a researcher would before launching a transfer.
import path from "node:path";
import { buildDemoFixtures, type DemoFixtures } from "../../src/fixtures";
import { buildFaceDataset } from "../../src/fixtures";
import { gqlData } from "./graphql-client";

export interface TransferSetup {
  fixtures: DemoFixtures;
  datasetId: string;
  methodId: string;
}

export async function registerDataset(url: string, name: string, dir: string): Promise<string> {
  const data = await gqlData(url, `mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }`, {
    input: { name, kind: "SYNTHETIC", requirement: "NONE", uri: dir },
  });
  return data.createDataset.id;
}

export async function setUpTransfer(url: string, dataRoot: string, options: { identities?: number; imagesPerIdentity?: number } = {}): Promise<TransferSetup> {
  const fixtures = await buildDemoFixtures(path.join(dataRoot, "fixtures"), { modelSize: 64, ...options });
  const datasetId = await registerDataset(url, "DigiFace-mini", fixtures.dataset.dir);
  const method = await gqlData(url, `mutation($input: RegisterTransferMethodInput!) { registerTransferMethod(input: $input) { id } }`, {
    input: {
      name: "CodeFormer-fixture",
      family: "FACE_RESTORATION",
      modelPath: fixtures.models.codeformerLike.path,
      inputSpec: fixtures.models.codeformerLike.spec,
      defaultOptions: { fidelityWeight: 0.5 },
    },
  });
  return { fixtures, datasetId, methodId: method.registerTransferMethod.id };
}

/** A bigger dataset, so a run lasts long enough to cancel or kill mid-way. */
export async function registerBigDataset(url: string, dataRoot: string, name: string, identities = 40, imagesPerIdentity = 10) {
  const dir = path.join(dataRoot, name);
  await buildFaceDataset({ dir, identities, imagesPerIdentity, size: 112 });
  return registerDataset(url, name, dir);
}

export const LAUNCH = `mutation($datasetId: ID!, $methodId: ID!, $options: LaunchTransferOptions) {
  launchTransfer(datasetId: $datasetId, methodId: $methodId, options: $options) { id status kind params } }`;

export const RUN_STATE = `query($id: ID!) { run(id: $id) { id status error worker device attempt: details
  progress { done total fraction } lineage { outputDataset { name kind uri imageCount identityCount sourceDataset { name } transferMethod { name } } }
  metrics { name value } } }`;
