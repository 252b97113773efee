// Bounded zod building blocks for kinds' launch params, and the parse that turns zod's
// issues into BAD_USER_INPUT naming the field (params.options.batchSize ...).
import { z } from "zod";
import { badInput } from "../../errors";
import { assertJsonSize } from "../../services/json-bounds";

/** An id or a name from a request. */
export const id = z.string().min(1).max(200);
export const optionalInt = z.number().int().nullish();
export const optionalNumber = z.number().finite().nullish();
export const optionalString = (max = 200) => z.string().max(max).nullish();
/** A JSON value given as-is (bounded as a whole by parseKindParams). */
export const json = z.unknown().optional();

/**
 * Parses a launch's params with the kind's schema; the first problem names its field by its
 * path inside the params ("options.batchSize"), as the kind's own launch checks do.
 */
export function parseKindParams<T>(schema: z.ZodType<T>, value: unknown): T {
  assertJsonSize("params", value ?? {});
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  // An unknown key is named by its own path, so a typo reads as "options.batchSze: unknown ...".
  const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]!] : issue.path;
  const message = issue.code === "unrecognized_keys" ? "is not a parameter of this kind" : issue.message;
  throw badInput(path.length ? path.join(".") : "params", message);
}

/** Where a launch runs, over the kind's configured executor: its name ("local", "slurm") and resources (gpus, cpus, memoryGb, timeLimit, partition; checked by the executor). */
export const executorOverride = {
  executor: optionalString(40),
  resources: json,
};
