// Validates a model input spec with the runners' own schema so a model that
// registers here is one the runners can feed.
import { badInput } from "../errors";
import { modelInputSpecSchema } from "../models/input-spec";

export function parseInputSpec(field: string, value: unknown) {
  const parsed = modelInputSpecSchema.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${[field, ...issue.path].join(".")}: ${issue.message}`)
      .join("; ");
    throw badInput(field, `invalid model input spec (${first})`);
  }
  return parsed.data;
}
