// The Slurm executor's overhead: a 1-second TRAIN job (the example trainer, one
// epoch of 1 s) launched on the local in-process worker and on a real one-node
// Slurm (test/slurm/slurm-cluster.ts), in the same run, on the same server:
// launch -> RUNNING and launch -> SUCCEEDED latency, and their ratio.
import path from "node:path";
import { embeddingModelSpec } from "../src/fixtures";
import { startSlurmCluster } from "../test/slurm/slurm-cluster";
import { setUpTransfer } from "../test/helpers/transfer-setup";
import { postGraphQL, startBenchServer } from "./bench-server";

const REPEATS = 3;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function run() {
  const cluster = await startSlurmCluster();
  if (!cluster) return { skipped: "no Slurm here (apt-get install -y slurmctld slurmd slurm-client munge; needs root)" };
  process.env.SLURM_CONF = cluster.conf;
  const server = await startBenchServer({
    WORKER_IN_PROCESS: "true",
    HEARTBEAT_INTERVAL_MS: "500",
    SLURM_WORK_DIR: path.join(cluster.dir, "jobs"),
    SLURM_POLL_MS: "250",
  });
  try {
    const { datasetId } = await setUpTransfer(server.url, server.dataRoot, { identities: 2, imagesPerIdentity: 1 });
    const repo = path.resolve(".");
    const registered = await postGraphQL(server.url, `mutation($input: RegisterTrainerInput!) { registerTrainer(input: $input) { id } }`, {
      input: {
        name: "bench-1s-trainer",
        command: ["node", "--import", "tsx", path.join(repo, "examples/trainer/train.ts"), "--data", "{datasetPath}", "--out", "{outputDir}", "--seed", "{seed}", "--epochs", "1", "--sleep-ms", "1000"],
        workingDirectory: repo, modelOutput: "{outputDir}/model.onnx", inputSpec: embeddingModelSpec(), backbone: "IR50-fixture", head: "AdaFace",
      },
    });
    const trainerId = registered.registerTrainer.id as string;
    const once = async (executor: "local" | "slurm", seed: number) => {
      const started = performance.now();
      const launched = await postGraphQL(server.url, `mutation($d: ID!, $t: ID!, $s: Int, $e: String, $r: RunResourcesInput) { launchTraining(datasetId: $d, trainerId: $t, seed: $s, executor: $e, resources: $r) { id } }`,
        { d: datasetId, t: trainerId, s: seed, e: executor, r: executor === "slurm" ? { gpus: 1, cpus: 1, memoryGb: 0.25 } : null });
      const id = launched.launchTraining.id as string;
      let runningMs = 0;
      for (;;) {
        const data = await postGraphQL(server.url, `query($id: ID!) { run(id: $id) { status error } }`, { id });
        if (!runningMs && data.run.status !== "QUEUED") runningMs = performance.now() - started;
        if (["SUCCEEDED", "FAILED", "CANCELLED"].includes(data.run.status)) {
          if (data.run.status !== "SUCCEEDED") throw new Error(`${executor} run ${id} ${data.run.status}: ${data.run.error}`);
          return { runningMs, succeededMs: performance.now() - started };
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const results: Record<string, { runningMs: number; succeededMs: number }> = {};
    for (const executor of ["local", "slurm"] as const) {
      const samples = [];
      for (let i = 0; i < REPEATS; i++) samples.push(await once(executor, i));
      results[executor] = { runningMs: Math.round(median(samples.map((s) => s.runningMs))), succeededMs: Math.round(median(samples.map((s) => s.succeededMs))) };
      console.log(`${executor}: launch -> RUNNING ${results[executor]!.runningMs} ms, -> SUCCEEDED ${results[executor]!.succeededMs} ms (median of ${REPEATS})`);
    }
    const ratio = {
      running: Number((results.slurm!.runningMs / results.local!.runningMs).toFixed(2)),
      succeeded: Number((results.slurm!.succeededMs / results.local!.succeededMs).toFixed(2)),
    };
    console.log(`slurm / local: RUNNING ${ratio.running}x, SUCCEEDED ${ratio.succeeded}x`);
    return { ...results, ratio };
  } finally {
    await server.close();
    await cluster.stop();
  }
}
