// The `slurm` executor: each run becomes a Slurm batch job running `src/run-one.ts`,
// which executes it with the local workers' code and reports through the API with the run's token.
// Submission and every state change after it go through `reconcile`, run on start
// and every poll: QUEUED runs without a job are submitted; pending jobs leave their
// reason on the run; running jobs' output files are copied into the run log (and
// for a while after they end); jobs that ended without the run settling (time
// limit, node failure, preemption, scancel from outside, vanished) fail the run
// with Slurm's reason (sacct, else scontrol), or re-queue it where maxAttempts
// allows; finished runs' jobs are scancelled. `cancel` scancels at once.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Run } from "../../generated/prisma/client";
import type { Stores } from "../../db/stores";
import type { RunsService } from "../../services/runs-service";
import { AppError, badInput } from "../../errors";
import type { Executor, RunResources } from "../executor";
import { timeLimitMinutes } from "../resources";
import { renderBatchScript, type BatchScriptSettings } from "./batch-script";
import { appendSystemLine, copyJobOutput, outputEnd, TOTAL_BYTES } from "./job-output";
import type { SlurmAccess } from "./slurm-commands";
import { endedJobReader } from "./ended-job";
import { parseSinfo, parseSqueue, SINFO_FORMAT, SQUEUE_FORMAT, type SlurmJob } from "./slurm-state";

/** Slurm end states after which another attempt may succeed (the job's fault was the cluster's). */
const RETRYABLE = new Set(["NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "REQUEUED"]);
const SUBMITTING = "submitting";
/** How long after a run ended its job's output file is still read into the run log. */
const TAIL_AFTER_END_MS = 10 * 60_000;
/**
 * A job whose run SUCCEEDED or FAILED is left this long to exit by itself (run-one settles the
 * run, then closes and prints its last lines) before it is scancelled as a leftover.
 */
const LEFTOVER_GRACE_MS = 30_000;

export interface SlurmExecutorSettings extends Omit<BatchScriptSettings, "nodeBinary"> {
  /** Where scripts and job output files go: a folder the nodes see at the same path. */
  workDir: string;
  /** Variables the job of a run gets (API URL, its run token, data roots...), passed by name with --export. */
  jobEnv: (runId: string) => Promise<Record<string, string>>;
}

export function createSlurmExecutor(services: { stores: Stores; runs: RunsService }, access: SlurmAccess, settings: SlurmExecutorSettings, log: (message: string) => void): Executor {
  const store = services.stores.executorRuns;

  const outputFile = (runId: string) => path.join(settings.workDir, `${runId}.out`);

  /** The next part of the job's output into the run log (a failure here only delays the log). */
  async function copyOutput(run: Run, ended: boolean) {
    await copyJobOutput(services.stores, run, outputFile(run.id), ended).catch((e) => log(`run ${run.id}: job output not copied: ${(e as Error).message}`));
  }

  async function fail(run: Run, error: string) {
    const current = (await services.stores.runs.byIds([run.id]))[0];
    if (!current || !["QUEUED", "RUNNING"].includes(current.status)) return;
    await services.runs.transition(current, "FAILED", { error: error.slice(0, 4_000) }).catch((e) => log(`run ${run.id}: not failed: ${(e as Error).message}`));
  }

  async function submit(run: Run): Promise<void> {
    if (!(await store.claimForSubmit(run.id, SUBMITTING))) return;
    await mkdir(settings.workDir, { recursive: true });
    const scriptPath = path.join(settings.workDir, `${run.id}.sbatch`);
    const script = renderBatchScript(run.id, outputFile(run.id), run.resources as RunResources, { ...settings, nodeBinary: process.execPath });
    await writeFile(scriptPath, script, { mode: 0o600 });
    const env = await settings.jobEnv(run.id);
    const result = await access.run("sbatch", ["--parsable", `--export=PATH,HOME,LANG,${Object.keys(env).join(",")}`, scriptPath], env);
    const jobId = result.stdout.trim().split(";")[0] ?? "";
    if (result.code !== 0 || !/^\d+$/.test(jobId)) {
      await store.recordJob(run.id, { executorJobId: null, executorReason: "sbatch refused the job" });
      await fail(run, `sbatch refused the job: ${result.stderr.trim() || `exit ${result.code}`}`);
      return;
    }
    // sbatch truncates the output file: the new attempt's output is read from its start.
    await store.recordJob(run.id, { executorJobId: jobId, executorReason: "submitted", executorNode: null, executorLogOffset: 0 });
    log(`run ${run.id}: Slurm job ${jobId}`);
  }

  async function liveJobs(): Promise<Map<string, SlurmJob>> {
    const result = await access.run("squeue", ["-h", "-o", SQUEUE_FORMAT]);
    if (result.code !== 0) throw new Error(`squeue failed: ${result.stderr.trim()}`);
    return new Map(parseSqueue(result.stdout).filter((job) => job.name.startsWith("rl-")).map((job) => [job.name.slice(3), job]));
  }

  const endedJobs = endedJobReader(access, log);

  async function settleEnded(run: Run, jobId: string) {
    const ended = await endedJobs.read(jobId);
    const [current] = await services.stores.runs.byIds([run.id]);
    if (!current || !["QUEUED", "RUNNING"].includes(current.status)) return; // run-one settled it
    if (ended && ["PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED"].includes(ended.state)) return;
    const tail = await outputEnd(outputFile(run.id));
    const what = ended
      ? `Slurm job ${jobId} ended ${ended.state}${ended.reason && ended.reason !== "None" ? ` (${ended.reason})` : ""}${ended.state === "CANCELLED" ? ": cancelled outside RealismLab" : ""}`
      : `Slurm job ${jobId} vanished from the queue`;
    if (ended && RETRYABLE.has(ended.state) && current.attempt < current.maxAttempts) {
      // Another attempt: back to QUEUED without a job, so the next pass submits it again.
      if (current.status === "RUNNING") await services.stores.transaction((tx) => tx.requeueRunningRun(run.id, what));
      await copyOutput(run, true); // the rest of this attempt's output, before the next sbatch truncates it
      await store.recordJob(run.id, { executorJobId: null, executorNode: null, executorReason: `${what}; re-queued`, executorLogOffset: 0 });
      await appendSystemLine(services.stores, run.id, `${what}; re-queued (attempt ${current.attempt} of ${current.maxAttempts})`);
      log(`run ${run.id}: ${what}; re-queued`);
      return;
    }
    await store.recordJob(run.id, { executorReason: ended?.state ?? "vanished" });
    await fail(current, tail ? `${what}; job output ends:\n${tail.split("\n").slice(-20).join("\n")}` : what);
  }

  async function reconcile(): Promise<void> {
    const live = await liveJobs();
    for (const run of await store.active("slurm")) {
      if (!run.executorJobId) {
        if (run.status === "QUEUED") await submit(run);
        continue;
      }
      if (run.executorJobId === SUBMITTING) continue; // a submit in flight (or lost with its process; see README)
      const job = live.get(run.id);
      if (job && job.jobId === run.executorJobId) {
        const reason = job.state === "PENDING" ? `PENDING (${job.reason})` : job.state;
        if (reason !== run.executorReason || job.node !== run.executorNode) await store.recordJob(run.id, { executorReason: reason, executorNode: job.node });
        if (job.state !== "PENDING") await copyOutput(run, false);
        continue;
      }
      await settleEnded(run, run.executorJobId);
    }
    // Jobs of runs that finished here (cancelled, failed elsewhere) should not keep their GPUs.
    const finished = await store.finishedAmong("slurm", [...live.keys()]);
    for (const run of finished) {
      const job = live.get(run.id)!;
      const leftover = run.status === "CANCELLED" || !run.finishedAt || Date.now() - run.finishedAt.getTime() > LEFTOVER_GRACE_MS;
      if (job.jobId === run.executorJobId && leftover) await access.run("scancel", [job.jobId]);
    }
    // The rest of the output of runs that ended (settled by run-one, cancelled or failed here).
    for (const run of await store.endedSince("slurm", new Date(Date.now() - TAIL_AFTER_END_MS), TOTAL_BYTES)) {
      const job = live.get(run.id);
      await copyOutput(run, !(job && job.jobId === run.executorJobId));
    }
  }

  return {
    name: "slurm",
    async checkResources(resources: RunResources) {
      const result = await access.run("sinfo", ["-h", "-o", SINFO_FORMAT]);
      // Slurm or its login node unreachable (SSH refused, wrong host key, slurmctld down): the
      // launch is refused with the reason, which is the operator's to fix, not the user's input.
      if (result.code !== 0) throw new AppError("EXECUTOR_UNAVAILABLE", `executor: Slurm cannot be asked for its partitions now (sinfo failed): ${result.stderr.trim().slice(0, 1_000)}`, "executor");
      const partitions = parseSinfo(result.stdout);
      const partition = resources.partition ? partitions.find((p) => p.name === resources.partition) : (partitions.find((p) => p.isDefault) ?? partitions[0]);
      if (!partition) throw badInput("resources.partition", `no Slurm partition ${JSON.stringify(resources.partition ?? "(default)")}; there are ${partitions.map((p) => p.name).join(", ") || "none"}`);
      const where = `partition ${partition.name}`;
      if ((resources.gpus ?? 0) > partition.maxGpus) throw badInput("resources.gpus", `asks ${resources.gpus} GPUs; the largest node of ${where} has ${partition.maxGpus}`);
      if ((resources.cpus ?? 0) > partition.maxCpus) throw badInput("resources.cpus", `asks ${resources.cpus} CPUs; the largest node of ${where} has ${partition.maxCpus}`);
      if ((resources.memoryGb ?? 0) * 1024 > partition.maxMemoryMb) throw badInput("resources.memoryGb", `asks ${resources.memoryGb} GB; the largest node of ${where} has ${Math.floor(partition.maxMemoryMb / 1024)} GB`);
      if (resources.timeLimit && partition.maxTimeMinutes !== null && timeLimitMinutes(resources.timeLimit) > partition.maxTimeMinutes) {
        throw badInput("resources.timeLimit", `asks ${resources.timeLimit}; ${where} allows ${partition.maxTimeMinutes} minutes`);
      }
    },
    submit,
    async cancel(run: Run) {
      // Not submitted yet: nothing to stop (a job submitted meanwhile is scancelled by reconcile).
      if (!run.executorJobId || !/^\d+$/.test(run.executorJobId)) return;
      const result = await access.run("scancel", [run.executorJobId]);
      if (result.code !== 0) log(`run ${run.id}: scancel ${run.executorJobId} failed: ${result.stderr.trim()}`);
      else await store.recordJob(run.id, { executorReason: "CANCELLED (scancel by RealismLab)" });
    },
    reconcile,
    close: () => access.close?.(),
  };
}

