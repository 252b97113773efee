// Size bounds on JSON values clients store (run params and details, trainer defaults):
// they are read back in lists (`runs(first: 500) { nodes { params } }`), so one answer's
// size stays bounded only if each value is. Nesting depth is bounded for every argument in
// src/graphql/input-bounds.ts.
import { badInput } from "../errors";

export const MAX_JSON_VALUE_BYTES = 64 * 1024;

/** Throws BAD_USER_INPUT naming `field` when `value` serialises to more than `maxBytes`. */
export function assertJsonSize(field: string, value: unknown, maxBytes = MAX_JSON_VALUE_BYTES): void {
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? "");
  if (bytes > maxBytes) throw badInput(field, `is ${bytes} bytes of JSON; at most ${maxBytes} are allowed`);
}

/**
 * A client's JSON object argument (run params and details, trainer params): null or absent is
 * `{}`, anything but an object is BAD_USER_INPUT naming `field`, and its size is bounded.
 */
export function jsonObject(field: string, value: unknown): Record<string, unknown> {
  if (value == null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw badInput(field, "must be a JSON object");
  assertJsonSize(field, value);
  return value as Record<string, unknown>;
}
