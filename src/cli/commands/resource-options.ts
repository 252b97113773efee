// --executor, --gpus, --cpus, --memory-gb, --partition and --time of launch commands:
// where a run executes and what it asks of the machine (the server checks them).
import { int, str, type OptionSpecs, type ParsedArgs } from "../args";
import { UsageError } from "../errors";

export const RESOURCE_OPTIONS: OptionSpecs = {
  executor: { type: "string", value: "local|slurm", description: "Where the run executes (default: the server's EXECUTOR_<KIND>)" },
  gpus: { type: "string", value: "N", description: "GPUs the run asks for (Slurm --gres=gpu:N)" },
  cpus: { type: "string", value: "N", description: "CPUs the run asks for" },
  "memory-gb": { type: "string", value: "GB", description: "Memory the run asks for" },
  partition: { type: "string", value: "NAME", description: "Slurm partition" },
  time: { type: "string", value: "MIN|HH:MM:SS", description: "Time limit (minutes, or [D-]HH:MM[:SS])" },
};

export function resourcesFrom(args: ParsedArgs): { executor: string | null; resources: Record<string, unknown> | null } {
  const memory = str(args, "memory-gb");
  if (memory !== undefined && !(Number(memory) > 0)) throw new UsageError("--memory-gb must be a number above 0");
  const resources = {
    ...(int(args, "gpus", { min: 0 }) !== undefined ? { gpus: int(args, "gpus", { min: 0 }) } : {}),
    ...(int(args, "cpus", { min: 1 }) !== undefined ? { cpus: int(args, "cpus", { min: 1 }) } : {}),
    ...(memory !== undefined ? { memoryGb: Number(memory) } : {}),
    ...(str(args, "partition") !== undefined ? { partition: str(args, "partition") } : {}),
    ...(str(args, "time") !== undefined ? { timeLimit: str(args, "time") } : {}),
  };
  return { executor: str(args, "executor") ?? null, resources: Object.keys(resources).length ? resources : null };
}
