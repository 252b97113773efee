// A launch's `resources` input: bounded, typed, merged over the kind's defaults.
import { badInput } from "../errors";
import type { RunResources } from "./executor";

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** Minutes, or Slurm's [D-]HH:MM[:SS]. */
const TIME_LIMIT = /^(\d{1,6}|(\d{1,3}-)?\d{1,2}:\d{2}(:\d{2})?)$/;

function int(field: string, value: unknown, max: number): number | undefined {
  if (value == null) return undefined;
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > max) throw badInput(`resources.${field}`, `must be an integer from 0 to ${max}`);
  return value as number;
}

/** Parses a request (or a default from config) into RunResources, naming the bad field. */
export function parseResources(value: unknown): RunResources {
  if (value == null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw badInput("resources", "must be an object");
  const input = value as Record<string, unknown>;
  const unknownKey = Object.keys(input).find((key) => !["gpus", "cpus", "memoryGb", "timeLimit", "partition"].includes(key));
  if (unknownKey) throw badInput(`resources.${unknownKey}`, "is not a resource (gpus, cpus, memoryGb, timeLimit, partition)");
  const out: RunResources = {};
  const gpus = int("gpus", input.gpus, 64);
  const cpus = int("cpus", input.cpus, 1024);
  if (gpus !== undefined) out.gpus = gpus;
  if (cpus !== undefined) out.cpus = cpus;
  if (input.memoryGb != null) {
    const memoryGb = input.memoryGb as number;
    if (typeof memoryGb !== "number" || !(memoryGb > 0) || memoryGb > 16_384) throw badInput("resources.memoryGb", "must be a number above 0 and at most 16384");
    out.memoryGb = memoryGb;
  }
  if (input.timeLimit != null) {
    const limit = typeof input.timeLimit === "number" ? String(input.timeLimit) : input.timeLimit;
    if (typeof limit !== "string" || !TIME_LIMIT.test(limit)) throw badInput("resources.timeLimit", "must be minutes (\"90\") or [D-]HH:MM[:SS]");
    out.timeLimit = limit;
  }
  if (input.partition != null) {
    if (typeof input.partition !== "string" || !NAME.test(input.partition)) throw badInput("resources.partition", "must be 1-64 letters, digits, '_', '.' or '-'");
    out.partition = input.partition;
  }
  return out;
}

/** Slurm's time limit in minutes (for comparing with a partition's MaxTime). */
export function timeLimitMinutes(limit: string): number {
  if (/^\d+$/.test(limit)) return Number(limit);
  const [days, clock] = limit.includes("-") ? [Number(limit.split("-")[0]), limit.split("-")[1]!] : [0, limit];
  const [h = 0, m = 0, s = 0] = clock.split(":").map(Number);
  return days * 1440 + h * 60 + m + s / 60;
}
