// What can go wrong in the CLI, and the exit code each failure maps to.
// Documented in README.md ("Command-line client") and in `realismlab --help`.

export const EXIT = {
  /** Done; for `watch`: every watched run (or pipeline) SUCCEEDED. */
  OK: 0,
  /** The API answered with an error (NOT_FOUND, CONFLICT, BAD_USER_INPUT, UNAUTHENTICATED...), or a watched run ended FAILED or CANCELLED. */
  FAILURE: 1,
  /** Bad command line: unknown command or option, missing or malformed value, a name that matches nothing. Nothing was sent to change anything. */
  USAGE: 2,
  /** The server could not be reached, or what answered is not a GraphQL endpoint. */
  UNREACHABLE: 3,
  /** Interrupted (Ctrl-C) while watching; the run itself goes on. */
  INTERRUPTED: 130,
} as const;

/** The command line is wrong; `command` names the command whose help to point at. */
export class UsageError extends Error {
  constructor(message: string, readonly command?: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface GraphQLErrorShape {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: string; field?: string; [key: string]: unknown };
}

/** The server answered with GraphQL errors. */
export class ApiError extends Error {
  constructor(readonly errors: GraphQLErrorShape[]) {
    super(errors.map(describeGraphQLError).join("\n"));
    this.name = "ApiError";
  }
  get code(): string | undefined {
    return this.errors[0]?.extensions?.code;
  }
}

export function describeGraphQLError(error: GraphQLErrorShape): string {
  // Apollo prefixes errors thrown while building the request context (e.g. a refused token).
  const message = error.message.replace(/^Context creation failed: /, "");
  const code = error.extensions?.code;
  const field = error.extensions?.field;
  const tags = [code, field && !message.startsWith(`${field}:`) ? `field ${field}` : null].filter(Boolean);
  return tags.length ? `${message} [${tags.join(", ")}]` : message;
}

/** No usable answer: connection refused, DNS, timeout, a non-GraphQL response. */
export class ConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConnectionError";
  }
}

/** Ctrl-C while watching. */
export class InterruptedError extends Error {
  constructor(message = "interrupted") {
    super(message);
    this.name = "InterruptedError";
  }
}

/** Exit code and the message to print for any error a command throws. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError) return EXIT.USAGE;
  if (error instanceof ConnectionError) return EXIT.UNREACHABLE;
  if (error instanceof InterruptedError) return EXIT.INTERRUPTED;
  return EXIT.FAILURE;
}
