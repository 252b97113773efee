// System metrics: nvidia-smi's CSV parsed from a recorded output (an 8-GPU H200 node, one
// GPU reporting [N/A] utilisation), CPU percent from CPU times, and the sampler writing
// system/* points into a real run's metrics through the GraphQL metric write path, with a
// recorded GPU answer and with the real nvidia-smi lookup (absent here: CPU and memory only).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gqlData } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { cpuPercent, parseNvidiaSmi, queryNvidiaSmi, startSystemMetrics } from "../../src/worker/system-metrics";

// Recorded: nvidia-smi --query-gpu=index,utilization.gpu,memory.used,memory.total --format=csv,noheader,nounits
const RECORDED = `0, 87, 40211, 143771
1, 0, 3, 143771
2, [N/A], 120000, 143771
`;

describe("parsing nvidia-smi", () => {
  it("turns each GPU line into utilisation and memory points, leaving out [N/A] values", () => {
    const points = parseNvidiaSmi(RECORDED);
    const byName = new Map(points.map((p) => [p.name, p.value]));
    expect(byName.get("system/gpu0_util_percent")).toBe(87);
    expect(byName.get("system/gpu0_memory_mb")).toBe(40211);
    expect(byName.get("system/gpu0_memory_percent")).toBeCloseTo((100 * 40211) / 143771, 10);
    expect(byName.get("system/gpu1_util_percent")).toBe(0);
    expect(byName.has("system/gpu2_util_percent")).toBe(false);
    expect(byName.get("system/gpu2_memory_mb")).toBe(120000);
    expect(points).toHaveLength(8);
  });

  it("ignores garbage and out-of-range GPU indexes", () => {
    expect(parseNvidiaSmi("")).toEqual([]);
    expect(parseNvidiaSmi("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n")).toEqual([]);
    expect(parseNvidiaSmi("999, 50, 1, 2\n-1, 50, 1, 2\n")).toEqual([]);
  });

  it("computes CPU busy percent from two readings", () => {
    expect(cpuPercent({ idle: 100, total: 200 }, { idle: 150, total: 400 })).toBe(75);
    expect(cpuPercent({ idle: 1, total: 2 }, { idle: 1, total: 2 })).toBeNull();
  });
});

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

async function sampleInto(gpu: () => Promise<string | null>) {
  const { createRun } = await gqlData(server.url, `mutation { createRun(input: { kind: TRAIN }) { id } }`);
  const logged: string[] = [];
  const sampler = startSystemMetrics({
    intervalMs: 150,
    gpu,
    log: (m) => logged.push(m),
    write: (points, step) =>
      gqlData(server.url, `mutation($id: ID!, $p: [MetricPointInput!]!) { logMetrics(runId: $id, points: $p) { inserted } }`, {
        id: createRun.id,
        p: points.map((p) => ({ ...p, step })),
      }),
  });
  await new Promise((resolve) => setTimeout(resolve, 1_300));
  sampler.stop();
  const { run } = await gqlData(server.url, `query($id: ID!) { run(id: $id) { metrics { name value step } } }`, { id: createRun.id });
  return { metrics: run.metrics as { name: string; value: number; step: number }[], logged };
}

describe("sampling into a run's metrics", () => {
  it("writes CPU, memory and the recorded GPUs at steps of seconds since start", async () => {
    const { metrics, logged } = await sampleInto(async () => RECORDED);
    expect(logged).toEqual([]);
    const names = new Set(metrics.map((m) => m.name));
    for (const name of ["system/cpu_percent", "system/memory_mb", "system/memory_percent", "system/gpu0_util_percent", "system/gpu2_memory_mb"]) expect(names).toContain(name);
    const memory = metrics.filter((m) => m.name === "system/memory_mb");
    expect(memory.length).toBeGreaterThanOrEqual(1);
    expect(memory.every((m) => m.value > 0)).toBe(true);
    expect(metrics.find((m) => m.name === "system/gpu0_util_percent")!.value).toBe(87);
    expect(metrics.filter((m) => m.name === "system/cpu_percent").every((m) => m.value >= 0 && m.value <= 100)).toBe(true);
  });

  it("degrades to CPU and memory where nvidia-smi is absent", async () => {
    const present = (await queryNvidiaSmi()) != null;
    const { metrics, logged } = await sampleInto(queryNvidiaSmi);
    expect(logged).toEqual([]);
    expect(metrics.some((m) => m.name === "system/memory_mb")).toBe(true);
    if (!present) expect(metrics.filter((m) => m.name.startsWith("system/gpu"))).toEqual([]);
  });
});
