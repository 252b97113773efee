// Expected failures carry a code that reaches clients as `extensions.code`;
// anything else is reported as an opaque internal error (see graphql/format-error.ts).
/** EXECUTOR_UNAVAILABLE: where the run would execute cannot be reached now (Slurm down, SSH refused); the message says why. */
export type ErrorCode = "BAD_USER_INPUT" | "NOT_FOUND" | "CONFLICT" | "FORBIDDEN" | "UNAUTHENTICATED" | "EXECUTOR_UNAVAILABLE";

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "AppError";
  }
}

export const badInput = (field: string, message: string) => new AppError("BAD_USER_INPUT", `${field}: ${message}`, field);
export const notFound = (what: string, key: string) => new AppError("NOT_FOUND", `${what} ${JSON.stringify(key)} does not exist`);
export const conflict = (message: string) => new AppError("CONFLICT", message);

/** Throws NOT_FOUND unless the row exists. */
export function required<T>(row: T | null | undefined, what: string, key: string): T {
  if (row == null) throw notFound(what, key);
  return row;
}
