// The embedded cluster's password: random per data folder, kept beside it in a mode-600 file
// (`<data folder>.secret`), so another local user cannot read it and a leaked default cannot
// open every install. Folders created before it existed used a fixed password; `adoptSecret`
// moves such a cluster to a fresh secret on its first start.
import { randomBytes } from "node:crypto";
import { chmod, readFile, rename, writeFile } from "node:fs/promises";

/** What every cluster used before per-folder secrets. */
export const LEGACY_PASSWORD = "realismlab";

export const secretPath = (dir: string) => `${dir}.secret`;
const pendingPath = (dir: string) => `${dir}.secret.pending`;

async function readText(file: string): Promise<string | null> {
  const text = await readFile(file, "utf8").catch(() => null);
  return text?.trim() || null;
}

async function writeSecret(file: string, secret: string): Promise<void> {
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  await chmod(file, 0o600); // also when the file was already there
}

/** The folder's secret, or null for a folder made before secrets. */
export async function readSecret(dir: string): Promise<string | null> {
  return readText(secretPath(dir));
}

/** A new folder's secret, written before initdb uses it. */
export async function createSecret(dir: string): Promise<string> {
  const secret = randomBytes(24).toString("hex");
  await writeSecret(secretPath(dir), secret);
  return secret;
}

/**
 * Moves a running legacy cluster to a new secret. `setPassword(current, next)` connects with
 * `current` and sets `next`. Crash-safe: the new secret is kept in a pending file until the
 * cluster uses it, and a retry first tries the pending secret.
 */
export async function adoptSecret(dir: string, setPassword: (current: string, next: string) => Promise<void>): Promise<string> {
  let next = await readText(pendingPath(dir));
  if (!next) {
    next = randomBytes(24).toString("hex");
    await writeSecret(pendingPath(dir), next);
  }
  try {
    await setPassword(next, next); // a crash after ALTER ROLE, before the rename
  } catch {
    await setPassword(LEGACY_PASSWORD, next);
  }
  await rename(pendingPath(dir), secretPath(dir));
  return next;
}
