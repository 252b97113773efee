// The trainer contract's machine-readable lines: a JSON object on one line with
// `progress` ({done, total, phase}) or `metrics` ([{name, value, step, std?,
// benchmark?}]). Anything else is plain log text; a line that looks like JSON but
// is not is reported as malformed (logged, ignored, the run goes on).
import { z } from "zod";

const progressSchema = z.object({
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative().nullable().optional(),
  phase: z.string().max(200).optional(),
});

const metricSchema = z.object({
  name: z.string().min(1).max(200),
  value: z.number().refine(Number.isFinite, "must be finite"),
  step: z.number().int().nonnegative().optional(),
  std: z.number().refine(Number.isFinite, "must be finite").nullable().optional(),
  benchmark: z.string().nullable().optional(),
});

export type TrainerLine =
  | { kind: "text" }
  | { kind: "progress"; progress: z.infer<typeof progressSchema> }
  | { kind: "metrics"; metrics: Array<z.infer<typeof metricSchema>> }
  | { kind: "malformed"; reason: string };

export function parseTrainerLine(line: string): TrainerLine {
  const trimmed = line.trim();
  if (!trimmed.startsWith("{")) return { kind: "text" };
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (error) {
    return { kind: "malformed", reason: `not JSON: ${(error as Error).message}` };
  }
  if (value && typeof value === "object" && "progress" in value) {
    const parsed = progressSchema.safeParse((value as { progress: unknown }).progress);
    return parsed.success ? { kind: "progress", progress: parsed.data } : { kind: "malformed", reason: `progress: ${parsed.error.issues[0]!.message}` };
  }
  if (value && typeof value === "object" && "metrics" in value) {
    const parsed = z.array(metricSchema).max(10_000).safeParse((value as { metrics: unknown }).metrics);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return { kind: "malformed", reason: `metrics.${issue.path.join(".")}: ${issue.message}` };
    }
    return { kind: "metrics", metrics: parsed.data };
  }
  return { kind: "text" };
}
