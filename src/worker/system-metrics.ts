// System metrics of the worker's machine while it runs a job: CPU and memory (from Node's
// os module) and, where nvidia-smi is installed, each GPU's utilisation and memory. Sampled
// every SYSTEM_METRICS_INTERVAL_MS into the run's metrics through the normal metric write
// path, as system/cpu_percent, system/memory_mb, system/memory_percent,
// system/gpu<i>_util_percent, system/gpu<i>_memory_mb, system/gpu<i>_memory_percent,
// at step = seconds since the job started. Without nvidia-smi only CPU and memory are sent.
import { execFile } from "node:child_process";
import os from "node:os";

export interface SystemPoint {
  name: string;
  value: number;
}

export const NVIDIA_SMI_ARGS = ["--query-gpu=index,utilization.gpu,memory.used,memory.total", "--format=csv,noheader,nounits"];
const MAX_GPUS = 64;

/** Parses `nvidia-smi --query-gpu=index,utilization.gpu,memory.used,memory.total --format=csv,noheader,nounits`. */
export function parseNvidiaSmi(output: string): SystemPoint[] {
  const points: SystemPoint[] = [];
  for (const line of output.split("\n").slice(0, MAX_GPUS)) {
    const fields = line.split(",").map((f) => f.trim());
    if (fields.length < 4) continue;
    const [index, util, used, total] = fields.map(Number) as [number, number, number, number];
    if (!Number.isInteger(index) || index < 0 || index >= MAX_GPUS) continue;
    // "[N/A]" (e.g. utilisation on some MIG setups) parses to NaN: that value is left out.
    if (Number.isFinite(util)) points.push({ name: `system/gpu${index}_util_percent`, value: util });
    if (Number.isFinite(used)) points.push({ name: `system/gpu${index}_memory_mb`, value: used });
    if (Number.isFinite(used) && Number.isFinite(total) && total > 0) points.push({ name: `system/gpu${index}_memory_percent`, value: (100 * used) / total });
  }
  return points;
}

type CpuTimes = { idle: number; total: number };

function cpuTimes(): CpuTimes {
  return os.cpus().reduce(
    (sum, cpu) => {
      const t = cpu.times;
      return { idle: sum.idle + t.idle, total: sum.total + t.user + t.nice + t.sys + t.idle + t.irq };
    },
    { idle: 0, total: 0 },
  );
}

/** CPU busy percent between two readings of the machine's CPU times. */
export function cpuPercent(before: CpuTimes, after: CpuTimes): number | null {
  const total = after.total - before.total;
  return total > 0 ? Math.min(100, Math.max(0, (100 * (total - (after.idle - before.idle))) / total)) : null;
}

/** Runs nvidia-smi; null when it is not installed or fails (then GPUs are not sampled). */
export type GpuQuery = () => Promise<string | null>;

export const queryNvidiaSmi: GpuQuery = () =>
  new Promise((resolve) => {
    execFile("nvidia-smi", NVIDIA_SMI_ARGS, { timeout: 5_000, maxBuffer: 64 * 1024 }, (error, stdout) => resolve(error ? null : stdout));
  });

/**
 * Samples every `intervalMs` until stopped and hands each sample to `write` (the run's
 * metric log). A failing write or GPU query is reported once and never fails the job.
 */
export function startSystemMetrics(options: {
  intervalMs: number;
  write: (points: SystemPoint[], step: number) => Promise<unknown>;
  gpu?: GpuQuery;
  log: (message: string) => void;
}): { stop(): void } {
  if (options.intervalMs <= 0) return { stop() {} };
  const gpu = options.gpu ?? queryNvidiaSmi;
  const started = Date.now();
  let previous = cpuTimes();
  let gpuAvailable = true;
  let warned = false;
  let busy = false;
  const sample = async () => {
    if (busy) return; // a slow write: skip a beat rather than pile up
    busy = true;
    try {
      const now = cpuTimes();
      const cpu = cpuPercent(previous, now);
      previous = now;
      const totalMb = os.totalmem() / 2 ** 20;
      const usedMb = totalMb - os.freemem() / 2 ** 20;
      const points: SystemPoint[] = [
        ...(cpu == null ? [] : [{ name: "system/cpu_percent", value: cpu }]),
        { name: "system/memory_mb", value: usedMb },
        { name: "system/memory_percent", value: (100 * usedMb) / totalMb },
      ];
      if (gpuAvailable) {
        const output = await gpu();
        if (output == null) gpuAvailable = false; // no nvidia-smi here: CPU and memory only
        else points.push(...parseNvidiaSmi(output));
      }
      await options.write(points, Math.round((Date.now() - started) / 1000));
    } catch (error) {
      if (!warned) options.log(`system metrics not written: ${(error as Error).message}`);
      warned = true;
    } finally {
      busy = false;
    }
  };
  // The first sample after one interval: CPU percent needs two readings.
  const timer = setInterval(() => void sample(), options.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
