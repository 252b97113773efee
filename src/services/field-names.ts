// A composite launch (a pipeline) reuses the checks of single launches, whose errors name
// the single launch's fields ("options.outputName"); this renames them to the composite
// input's fields ("transferOptions.outputName") so a client can show the error by its field.
import { AppError } from "../errors";

/** `renames` maps a field or field prefix of the inner input to the outer input's name. */
export function renameField(field: string, renames: Readonly<Record<string, string>>): string {
  for (const [from, to] of Object.entries(renames)) {
    if (field === from) return to;
    if (field.startsWith(`${from}.`) || field.startsWith(`${from}[`)) return to + field.slice(from.length);
  }
  return field;
}

/** Runs `work`, re-throwing an AppError with its field (and the message's field prefix) renamed. */
export async function withFieldNames<T>(renames: Readonly<Record<string, string>>, work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof AppError) || !error.field) throw error;
    const field = renameField(error.field, renames);
    if (field === error.field) throw error;
    const message = error.message.startsWith(`${error.field}:`) ? field + error.message.slice(error.field.length) : error.message;
    throw new AppError(error.code, message, field);
  }
}
