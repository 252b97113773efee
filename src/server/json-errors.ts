// The last express handler: every error a route or body parser raised (malformed JSON,
// a body over the limit, bad %-encoding in a path) answers as JSON in the GraphQL error
// shape, with a 4xx for the client's mistakes and an opaque 500 otherwise. Express's own
// handler would answer HTML with the stack trace (file paths, module layout).
import type { NextFunction, Request, Response } from "express";

interface HttpishError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

/** Client-side problems, in words that reveal nothing of the server. */
function describe(error: HttpishError, status: number): string {
  switch (error.type) {
    case "entity.parse.failed":
      return "the request body is not valid JSON";
    case "entity.too.large":
      return "the request body is too large";
    case "encoding.unsupported":
    case "charset.unsupported":
      return "the request body's encoding is not supported";
    case "request.aborted":
      return "the request was aborted";
  }
  if (status === 400) return "the request is malformed (e.g. a bad %-encoding in the path)";
  if (status === 413) return "the request body is too large";
  if (status === 415) return "unsupported media type";
  return "the request was refused";
}

export function jsonErrors(error: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(error);
  const e = (error ?? {}) as HttpishError;
  const raw = e.status ?? e.statusCode;
  const status = typeof raw === "number" && raw >= 400 && raw < 600 ? raw : 500;
  if (status >= 500) {
    console.error("unexpected HTTP error:", error);
    res.status(500).json({ errors: [{ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } }] });
    return;
  }
  res.status(status).json({ errors: [{ message: describe(e, status), extensions: { code: "BAD_REQUEST" } }] });
}
