// API token secrets: 32 random bytes, shown once; only a SHA-256 hash is stored
// (a slow password hash buys nothing for a 256-bit random secret).
import { createHash, randomBytes } from "node:crypto";

const PREFIX = "rl_";

export function generateTokenSecret(): string {
  return `${PREFIX}${randomBytes(32).toString("base64url")}`;
}

export function hashTokenSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** "Bearer rl_..." or "rl_..." -> the secret, else null. */
export function secretFromHeader(header: unknown): string | null {
  if (typeof header !== "string") return null;
  const secret = header.replace(/^Bearer\s+/i, "").trim();
  return secret.startsWith(PREFIX) && secret.length < 200 ? secret : null;
}
