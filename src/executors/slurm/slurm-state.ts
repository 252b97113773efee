// Parsing what squeue, scontrol and sinfo print into plain values.

export interface SlurmJob {
  jobId: string;
  name: string;
  state: string;
  reason: string;
  node: string | null;
}

/** The `squeue -h -o %i|%j|%T|%r|%N` format used below. */
export const SQUEUE_FORMAT = "%i|%j|%T|%r|%N";

export function parseSqueue(stdout: string): SlurmJob[] {
  return stdout
    .split("\n")
    .filter((line) => line.includes("|"))
    .map((line) => {
      const [jobId = "", name = "", state = "", reason = "", node = ""] = line.trim().split("|");
      return { jobId, name, state, reason, node: node || null };
    });
}

/** `scontrol show job -o ID`: one line of Key=Value pairs. */
export function parseScontrolJob(stdout: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of stdout.matchAll(/(\w+)=(\S*)/g)) fields[match[1]!] ??= match[2]!;
  return fields;
}

export interface PartitionLimits {
  name: string;
  isDefault: boolean;
  maxGpus: number;
  maxCpus: number;
  maxMemoryMb: number;
  /** Minutes; null when infinite. */
  maxTimeMinutes: number | null;
}

/** The `sinfo -h -o %P|%G|%c|%m|%l` format: one line per partition and node configuration. */
export const SINFO_FORMAT = "%P|%G|%c|%m|%l";

function gpusIn(gres: string): number {
  let max = 0;
  for (const part of gres.split(",")) {
    const match = /^gpu(?::[^:(]+)?:(\d+)/.exec(part.trim());
    if (match) max += Number(match[1]);
  }
  return max;
}

function minutes(limit: string): number | null {
  if (!limit || limit === "infinite" || limit === "UNLIMITED") return null;
  const [days, clock] = limit.includes("-") ? [Number(limit.split("-")[0]), limit.split("-")[1]!] : [0, limit];
  const parts = clock.split(":").map(Number);
  const [h, m, s] = parts.length === 3 ? parts : parts.length === 2 ? [0, ...parts] : [0, parts[0], 0];
  return days * 1440 + (h ?? 0) * 60 + (m ?? 0) + (s ?? 0) / 60;
}

export function parseSinfo(stdout: string): PartitionLimits[] {
  const byName = new Map<string, PartitionLimits>();
  for (const line of stdout.split("\n").filter((l) => l.includes("|"))) {
    const [rawName = "", gres = "", cpus = "0", memory = "0", limit = ""] = line.trim().split("|");
    const name = rawName.replace(/\*$/, "");
    const seen = byName.get(name);
    const row = { name, isDefault: rawName.endsWith("*"), maxGpus: gpusIn(gres), maxCpus: Number(cpus.replace(/\+$/, "")) || 0, maxMemoryMb: Number(memory.replace(/\+$/, "")) || 0, maxTimeMinutes: minutes(limit) };
    byName.set(name, seen ? { ...seen, maxGpus: Math.max(seen.maxGpus, row.maxGpus), maxCpus: Math.max(seen.maxCpus, row.maxCpus), maxMemoryMb: Math.max(seen.maxMemoryMb, row.maxMemoryMb) } : row);
  }
  return [...byName.values()];
}

/** `sacct -n -P -X -j ID -o JobID,State,ExitCode,Reason,NodeList` (parsable2: '|' between fields). */
export const SACCT_FIELDS = "JobID,State,ExitCode,Reason,NodeList";

export interface EndedJob {
  state: string;
  /** Slurm's reason ("TimeLimit", "NonZeroExitCode"...), with the exit code and who cancelled where known. */
  reason: string;
  node: string | null;
}

/**
 * The allocation line of job `jobId` in sacct's output (null when sacct does not know it).
 * sacct prints "CANCELLED by 1000" for a user's scancel; the uid goes into the reason.
 */
export function parseSacct(stdout: string, jobId: string): EndedJob | null {
  for (const line of stdout.split("\n")) {
    const [id = "", rawState = "", exitCode = "", reason = "", nodes = ""] = line.trim().split("|");
    if (id !== jobId) continue; // steps (ID.batch, ID.extern) and other jobs
    const [state = "", ...by] = rawState.split(/\s+by\s+/);
    const notes = [
      ...(reason && reason !== "None" ? [reason] : []),
      ...(exitCode && exitCode !== "0:0" ? [`exit ${exitCode}`] : []),
      ...(by.length ? [`by uid ${by.join(" ")}`] : []),
    ];
    return { state, reason: notes.join(", ") || "None", node: nodes && nodes !== "None assigned" ? nodes : null };
  }
  return null;
}
