// The browser tests drive the built dashboard (web/dist): build it when it is missing
// (npm install's postinstall normally built it) or older than any source under web/,
// so a test always drives the current dashboard.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

function newestSource(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "dist" || entry.name === "node_modules" ? newest : Math.max(newest, newestSource(full));
    return Math.max(newest, statSync(full).mtimeMs);
  }, 0);
}

export function ensureDashboardBuilt(): void {
  const index = path.join(ROOT, "web", "dist", "index.html");
  if (existsSync(index) && statSync(index).mtimeMs >= newestSource(path.join(ROOT, "web"))) return;
  const result = spawnSync(process.execPath, [path.join(ROOT, "scripts", "build-web.mjs")], { cwd: ROOT, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`npm run build:web failed:\n${result.stdout}\n${result.stderr}`);
}
