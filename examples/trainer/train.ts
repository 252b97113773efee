// An example trainer that follows RealismLab's trainer contract (README, "Trainer
// contract"). It does not learn anything: it "trains" by writing a small ONNX
// embedding model (seeded), printing progress and a loss curve as JSON lines.
//
//   node --import tsx examples/trainer/train.ts --data DIR --out DIR --seed N [--epochs N] [--fail] [--garbage] [--ignore-sigterm] [--sleep-ms N]
//     [--fail-if-exists FILE] [--hold-while-exists FILE]
// The last two let tests script a failure or a long run per seed (FILE may use {seed}).
import { access, mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { buildEmbeddingModel } from "../../src/fixtures/embedding-models";

const { values } = parseArgs({
  options: {
    data: { type: "string" },
    out: { type: "string" },
    seed: { type: "string", default: "0" },
    epochs: { type: "string", default: "5" },
    "sleep-ms": { type: "string", default: "50" },
    fail: { type: "boolean", default: false },
    garbage: { type: "boolean", default: false },
    "ignore-sigterm": { type: "boolean", default: false },
    "fail-if-exists": { type: "string" },
    "hold-while-exists": { type: "string" },
    // Also send the last loss point through the API with the run's own token (dedupes with stdout).
    "api-metrics": { type: "boolean", default: false },
  },
});
if (!values.data || !values.out) {
  console.error("usage: train.ts --data DIR --out DIR --seed N");
  process.exit(2);
}
if (values["ignore-sigterm"]) process.on("SIGTERM", () => console.log("ignoring SIGTERM"));

const exists = (file: string | undefined) => (file ? access(file).then(() => true, () => false) : Promise.resolve(false));
const seed = Number(values.seed);
const epochs = Number(values.epochs);
const identities = (await readdir(values.data, { withFileTypes: true })).filter((e) => e.isDirectory()).length;
console.log(`training on ${identities} identities from ${values.data} (seed ${seed}, run ${process.env.REALISMLAB_RUN_ID ?? "?"})`);
const emit = (value: unknown) => console.log(JSON.stringify(value));

for (let epoch = 1; epoch <= epochs; epoch++) {
  await new Promise((r) => setTimeout(r, Number(values["sleep-ms"])));
  const loss = Number((2 / (epoch + 1) + (seed % 7) * 0.001).toFixed(6));
  emit({ progress: { done: epoch, total: epochs, phase: "epoch" } });
  emit({ metrics: [{ name: "train_loss", value: loss, step: epoch }] });
  if (values.garbage) console.log(`{"metrics": [oops this is not json}`);
  if ((values.fail || (await exists(values["fail-if-exists"]))) && epoch === 2) {
    console.error("CUDA out of memory (pretend)");
    process.exit(1);
  }
}
if (values["api-metrics"]) {
  const response = await fetch(process.env.REALISMLAB_API_URL!, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${process.env.REALISMLAB_TOKEN}` },
    body: JSON.stringify({
      query: "mutation($id: ID!, $p: [MetricPointInput!]!) { logMetrics(runId: $id, points: $p) { inserted } }",
      variables: { id: process.env.REALISMLAB_RUN_ID, p: [{ name: "train_loss", value: Number((2 / (epochs + 1) + (seed % 7) * 0.001).toFixed(6)), step: epochs }] },
    }),
  });
  console.log(`api logMetrics: ${JSON.stringify(await response.json())}`);
}
while (await exists(values["hold-while-exists"])) await new Promise((r) => setTimeout(r, 100));
await mkdir(values.out, { recursive: true });
await writeFile(path.join(values.out, "model.onnx"), buildEmbeddingModel({ seed: 11 + seed }));
console.log("exported model.onnx");
