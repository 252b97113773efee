// How the plain HTTP routes (dashboard files, leaderboard exports) answer an error: an
// AppError with the HTTP status of its code and its message, anything else as an opaque
// 500 (logged here, never shown). One table, so every route maps a code the same way.
import type { Response } from "express";
import { AppError, type ErrorCode } from "../errors";

/** The HTTP status of each AppError code; a new code fails the type-check until it is mapped. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  EXECUTOR_UNAVAILABLE: 503,
};

/** Answers `{ error: { code, field, message } }`; `what` names the route in the server log. */
export function sendRouteError(res: Response, error: unknown, what: string): void {
  if (error instanceof AppError) {
    res.status(HTTP_STATUS[error.code]).json({ error: { code: error.code, field: error.field, message: error.message } });
    return;
  }
  console.error(`${what} failed:`, error);
  res.status(500).json({ error: { code: "INTERNAL_SERVER_ERROR", message: "Internal server error" } });
}
