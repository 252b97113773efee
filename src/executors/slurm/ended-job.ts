// What Slurm says about a job that left the queue: `sacct` where the cluster keeps
// accounting (it remembers jobs for good, with exit code and who cancelled), else
// `scontrol show job` (the controller forgets a job MinJobAge seconds after it ended).
// A cluster without accounting answers sacct with an error once; it is not asked again.
import type { SlurmAccess } from "./slurm-commands";
import { parseSacct, parseScontrolJob, SACCT_FIELDS, type EndedJob } from "./slurm-state";

export interface EndedJobReader {
  /** The job's state and reason (null: Slurm no longer knows the job: it vanished). */
  read(jobId: string): Promise<(EndedJob & { source: "sacct" | "scontrol" }) | null>;
}

export function endedJobReader(access: SlurmAccess, log: (message: string) => void): EndedJobReader {
  let accounting = true;

  async function fromSacct(jobId: string): Promise<EndedJob | null> {
    if (!accounting) return null;
    const result = await access.run("sacct", ["-n", "-P", "-X", "-j", jobId, "-o", SACCT_FIELDS]);
    if (result.code !== 0) {
      // "Slurm accounting storage is disabled", or no slurmdbd: use scontrol from now on.
      accounting = false;
      log(`sacct unusable, reading ended jobs from scontrol: ${result.stderr.trim().split("\n")[0] ?? `exit ${result.code}`}`);
      return null;
    }
    return parseSacct(result.stdout, jobId);
  }

  async function fromScontrol(jobId: string): Promise<EndedJob | null> {
    const result = await access.run("scontrol", ["show", "job", "-o", jobId]);
    if (result.code !== 0) return null;
    const fields = parseScontrolJob(result.stdout);
    if (!fields.JobState) return null;
    const exit = fields.ExitCode && fields.ExitCode !== "0:0" ? `exit ${fields.ExitCode}` : null;
    const reason = [...(fields.Reason && fields.Reason !== "None" ? [fields.Reason] : []), ...(exit ? [exit] : [])].join(", ") || "None";
    return { state: fields.JobState, reason, node: fields.NodeList && fields.NodeList !== "(null)" ? fields.NodeList : null };
  }

  return {
    async read(jobId) {
      const sacct = await fromSacct(jobId);
      // sacct may lag behind the controller for a job that just ended: a live state there is checked with scontrol.
      if (sacct && !["PENDING", "RUNNING", "REQUEUED"].includes(sacct.state)) return { ...sacct, source: "sacct" };
      const scontrol = await fromScontrol(jobId);
      if (scontrol) return { ...scontrol, source: "scontrol" };
      return sacct ? { ...sacct, source: "sacct" } : null;
    },
  };
}
