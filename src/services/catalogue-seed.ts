// The catalogue a new installation starts with: the paper's world (datasets,
// realism-transfer methods with Table 1's figures, benchmarks) and its Tables 2
// and 3 as published results. Every step is an upsert: seeding twice is a no-op.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { Stores } from "../db/stores";
import type { Prisma } from "../generated/prisma/client";
import { publishedResultsSchema } from "./published-results";
import type { Services } from ".";

export const PUBLISHED_RESULTS_FILE = fileURLToPath(new URL("../../seed/published-results.json", import.meta.url));

const DATASETS: Prisma.DatasetUncheckedCreateInput[] = [
  { name: "WebFace4M", kind: "REAL", requirement: null, identityCount: 205_990, imageCount: 4_235_242, description: "Real web-crawled faces (the upper bound in the paper)." },
  { name: "DigiFace1M", kind: "SYNTHETIC", requirement: "NONE", identityCount: 110_000, imageCount: 1_220_000, description: "3D-rendered faces: 10k ids x 72 images + 100k ids x 5." },
  { name: "FFHQ", kind: "REAL", requirement: null, imageCount: 70_000, description: "70,000 real face PNGs at 1024x1024, no identity labels; the real domain the transfer methods learn." },
  { name: "IDiffFace", kind: "SYNTHETIC", requirement: "PRETRAINED_FR", description: "Diffusion-generated identities conditioned on a pre-trained FR model." },
  { name: "DCFace", kind: "SYNTHETIC", requirement: "PRETRAINED_FR", description: "Dual-condition diffusion faces; needs a pre-trained FR model." },
];

type MethodSeed = Omit<Prisma.TransferMethodUncheckedCreateInput, "trainedOnId"> & { trainedOn: string; table1Name?: string };

const METHODS: MethodSeed[] = [
  { name: "CodeFormer", family: "FACE_RESTORATION", trainedOn: "FFHQ", defaultOptions: { fidelityWeight: 0.5 }, description: "Face restoration with a codebook lookup transformer (512x512)." },
  { name: "VSAIT", family: "UNPAIRED_I2I", trainedOn: "FFHQ", description: "Unpaired image translation with vector symbolic architectures (256x256)." },
  { name: "DECENT", family: "UNPAIRED_I2I", trainedOn: "FFHQ", description: "Density-changing regularised unpaired translation (256x256)." },
  { name: "UNSB-NE-1", family: "UNPAIRED_I2I", trainedOn: "FFHQ", table1Name: "UNSB", defaultOptions: { steps: 1 }, description: "Unpaired neural Schrödinger bridge, 1 step. Table 1 gives one UNSB figure for both step counts." },
  { name: "UNSB-NE-5", family: "UNPAIRED_I2I", trainedOn: "FFHQ", table1Name: "UNSB", defaultOptions: { steps: 5 }, description: "Unpaired neural Schrödinger bridge, 5 steps. Table 1 gives one UNSB figure for both step counts." },
  { name: "DDIM Inversion", family: "DIFFUSION_INVERSION", trainedOn: "FFHQ", description: "Invert to noise with DDIM and reconstruct with a diffusion model trained on FFHQ." },
  { name: "StyleGAN Inversion", family: "GAN_INVERSION", trainedOn: "FFHQ", description: "Invert into a StyleGAN latent space trained on FFHQ and reconstruct." },
];

const BENCHMARKS: Prisma.BenchmarkUncheckedCreateInput[] = [
  { name: "LFW", protocol: "PAIRS_10FOLD", pairCount: 6_000, imageCount: 12_000 },
  { name: "CFP-FP", protocol: "PAIRS_10FOLD", pairCount: 7_000, imageCount: 14_000 },
  { name: "CPLFW", protocol: "PAIRS_10FOLD", pairCount: 6_000, imageCount: 12_000 },
  { name: "CALFW", protocol: "PAIRS_10FOLD", pairCount: 6_000, imageCount: 12_000 },
  { name: "AgeDB-30", protocol: "PAIRS_10FOLD", pairCount: 6_000, imageCount: 12_000 },
  { name: "IJB-C", protocol: "IJB_TEMPLATE_1TO1", pairCount: 15_658_489, templateCount: 23_124, imageCount: 469_375 },
  { name: "IJB-B", protocol: "IJB_TEMPLATE_1TO1", pairCount: 8_010_270, templateCount: 12_115, imageCount: 227_630 },
];

interface Table1Row {
  method: string;
  secondsPerImage: number;
  qualitative: "GOOD" | "AVERAGE" | "POOR";
}

export async function seedCatalogue(stores: Stores, services: Pick<Services, "importPublishedResults">) {
  const document = JSON.parse(await readFile(PUBLISHED_RESULTS_FILE, "utf8")) as {
    table1_transfer_methods: { device: string; rows: Table1Row[] };
  };
  const table1 = new Map(document.table1_transfer_methods.rows.map((r) => [r.method, r]));
  const datasets = new Map<string, string>();
  for (const dataset of DATASETS) {
    datasets.set(dataset.name, (await stores.catalogue.upsertDatasetByName(dataset)).id);
  }
  for (const { trainedOn, table1Name, ...method } of METHODS) {
    const published = table1.get(table1Name ?? method.name);
    await stores.catalogue.upsertMethodByName({
      ...method,
      trainedOnId: datasets.get(trainedOn)!,
      qualitative: published?.qualitative ?? null,
      publishedSecondsPerImage: published?.secondsPerImage ?? null,
      publishedDevice: published ? document.table1_transfer_methods.device : null,
    });
  }
  for (const benchmark of BENCHMARKS) await stores.catalogue.upsertBenchmarkByName(benchmark);
  return services.importPublishedResults(publishedResultsSchema.parse(document));
}
