// The batch script of one run: #SBATCH lines from the run's resources and the
// config (partition, account, qos, gres, cpus, memory, time, extra lines), the
// config's environment setup lines, a check that the server's repository is
// visible from the node, then the project's own entry point for one run.
import { quote } from "shell-quote";
import type { RunResources } from "../executor";

export interface BatchScriptSettings {
  account?: string | undefined;
  qos?: string | undefined;
  /** Whole `#SBATCH ...` lines added as given (from config, trusted like the server's env). */
  extraSbatch: readonly string[];
  /** Shell lines run before the entry point (`module load ...`, `conda activate ...`), from config. */
  envSetup: readonly string[];
  /** The repository as the node sees it (must be the same path: a shared filesystem). */
  repoDir: string;
  nodeBinary: string;
}

export function jobName(runId: string): string {
  return `rl-${runId}`;
}

export function renderBatchScript(runId: string, outputFile: string, resources: RunResources, settings: BatchScriptSettings): string {
  if (!/^[0-9a-f-]{36}$/.test(runId)) throw new Error(`not a run id: ${runId}`);
  const sbatch = [
    `--job-name=${jobName(runId)}`,
    `--output=${outputFile}`,
    "--nodes=1",
    "--ntasks=1",
    // RealismLab decides retries (maxAttempts); Slurm's own requeue would bypass that count.
    "--no-requeue",
    ...(resources.partition ? [`--partition=${resources.partition}`] : []),
    ...(settings.account ? [`--account=${settings.account}`] : []),
    ...(settings.qos ? [`--qos=${settings.qos}`] : []),
    ...(resources.gpus ? [`--gres=gpu:${resources.gpus}`] : []),
    ...(resources.cpus ? [`--cpus-per-task=${resources.cpus}`] : []),
    ...(resources.memoryGb ? [`--mem=${Math.ceil(resources.memoryGb * 1024)}M`] : []),
    ...(resources.timeLimit ? [`--time=${resources.timeLimit}`] : []),
  ].map((option) => `#SBATCH ${option}`);
  const repo = quote([settings.repoDir]);
  const probe = quote([`${settings.repoDir}/src/run-one.ts`]);
  return [
    "#!/bin/bash",
    ...sbatch,
    ...settings.extraSbatch.map((line) => (line.startsWith("#SBATCH") ? line : `#SBATCH ${line}`)),
    `# RealismLab run ${runId}`,
    `echo "realismlab: Slurm job $SLURM_JOB_ID of run ${runId} on $(hostname)"`,
    ...settings.envSetup,
    `if [ ! -f ${probe} ]; then`,
    `  echo "realismlab: the repository ${settings.repoDir.replace(/["`$\\]/g, "")} is not visible on $(hostname): the cluster must share this filesystem path with the server (SLURM_REPO_DIR)" >&2`,
    "  exit 3",
    "fi",
    `cd ${repo}`,
    // Not exec: the exit line below ends the output the server copies into the run log.
    // (scancel and time limits signal every process of the job, run-one included.)
    `${quote([settings.nodeBinary])} --import tsx src/run-one.ts ${runId}`,
    "status=$?",
    'echo "realismlab: run-one exited with status $status"',
    'exit "$status"',
    "",
  ].join("\n");
}
