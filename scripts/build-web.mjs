// Builds the dashboard (web/) into web/dist, which the server serves at /.
//   node scripts/build-web.mjs               build (npm run build:web); fails on errors
//   node scripts/build-web.mjs --if-missing  build only when web/dist has no index.html (npm start)
//   node scripts/build-web.mjs --on-install  build after npm install; a failure warns but does not
//                                            fail the install (npm start tries again)
// web/dist is never committed. No network: everything comes from node_modules.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const config = fileURLToPath(new URL("../web/vite.config.ts", import.meta.url));
const index = fileURLToPath(new URL("../web/dist/index.html", import.meta.url));
const args = new Set(process.argv.slice(2));
const ifMissing = args.has("--if-missing");
const soft = ifMissing || args.has("--on-install");

if (ifMissing && existsSync(index)) process.exit(0);
if (!existsSync(config)) {
  // An install of the server alone (no web/ folder): nothing to build.
  console.warn("build-web: web/vite.config.ts not found; the dashboard is not built.");
  process.exit(0);
}

try {
  if (ifMissing) console.log("The dashboard (web/dist) is missing: building it once (npm run build:web)...");
  const { build } = await import("vite");
  await build({ configFile: config, root: fileURLToPath(new URL("../web", import.meta.url)), logLevel: "warn" });
  console.log(`build-web: dashboard built into ${index.slice(root.length).replace(/index\.html$/, "")}`);
} catch (error) {
  console.error(`build-web: the dashboard build failed: ${error?.stack ?? error}`);
  if (soft) {
    console.error("build-web: continuing without the dashboard; the API works, and / explains how to build it.");
    process.exit(0);
  }
  process.exit(1);
}
