// The dashboard's build: `npm run build:web` writes static files to web/dist, which
// the API server serves at / (src/server/dashboard-routes.ts). `npx vite web` serves it
// with hot reload and forwards the API to a server on :4000 (or VITE_API).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));
const api = process.env.VITE_API ?? "http://localhost:4000";
const proxied = { target: api, changeOrigin: true };

export default defineConfig({
  root,
  base: "/",
  publicDir: "public",
  oxc: { jsx: { runtime: "automatic" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1000,
  },
  server: {
    proxy: {
      "/graphql": { ...proxied, ws: true },
      "/files": proxied,
      "^/leaderboard\\.(csv|md|tex)": proxied,
    },
  },
});
