// The web dashboard (web/, built into web/dist) on the API's port, plus the two file
// routes its qualitative view needs. Everything else the dashboard shows comes from
// the public GraphQL API.
//   GET /files/datasets/:id/images?offset=&limit=   JSON: image paths of a dataset, sorted
//   GET /files/datasets/:id/image/<identity>/<file>  one .png/.jpg/.jpeg of a dataset
//   GET /assets/*, /favicon.svg ...                   static files from web/dist
//   GET any other page path (Accept: text/html)       web/dist/index.html (client-side routes)
// /graphql, /healthz and /leaderboard.* are left to their own handlers.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import express from "express";
import { AppError } from "../errors";
import type { Services } from "../services";
import { createDatasetFiles } from "../services/dataset-files";
import { sendRouteError } from "./route-errors";

export const WEB_DIST = fileURLToPath(new URL("../../web/dist", import.meta.url));

/** Paths the SPA fallback never answers. */
const NOT_PAGES = /^\/(graphql|healthz|files|assets)(\/|$)|^\/leaderboard\.[a-z]+$/;

function integer(value: unknown, fallback: number): number {
  const n = typeof value === "string" ? Number.parseInt(value, 10) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

export function mountDashboard(app: express.Express, services: Services, options: { distDir?: string } = {}): void {
  const distDir = options.distDir ?? WEB_DIST;
  const files = createDatasetFiles(services.catalogue, services.dataPaths);
  // Dataset images are reads: public unless READS_PUBLIC=false, then a READ token
  // (Authorization: Bearer ...), like GraphQL queries.
  const authorizeRead = async (req: express.Request, what: string) => {
    const principal = await services.auth.authenticate(req.headers.authorization);
    services.auth.authorize(principal, "PUBLIC_READ", what);
  };

  app.get("/files/datasets/:id/images", async (req, res) => {
    try {
      await authorizeRead(req, "listing dataset images");
      const page = await files.listImages(req.params.id, integer(req.query.offset, 0), integer(req.query.limit, 48));
      res.setHeader("cache-control", "no-store");
      res.json(page);
    } catch (error) {
      sendRouteError(res, error, "dashboard route");
    }
  });

  app.get("/files/datasets/:id/image/*rel", async (req, res) => {
    try {
      await authorizeRead(req, "reading dataset images");
      const rel = (req.params as unknown as { rel: string[] }).rel;
      const image = await files.resolveImage(req.params.id, rel.join("/"));
      res.setHeader("content-type", image.contentType);
      res.setHeader("x-content-type-options", "nosniff");
      res.setHeader("cache-control", "private, max-age=60");
      res.sendFile(image.file, { dotfiles: "allow", headers: { "content-type": image.contentType } }, (error) => {
        if (error && !res.headersSent) sendRouteError(res, new AppError("NOT_FOUND", "no such image in this dataset"), "dashboard route");
      });
    } catch (error) {
      sendRouteError(res, error, "dashboard route");
    }
  });

  // Hashed bundles never change; index.html must be revalidated so a rebuild shows up.
  app.use(express.static(distDir, {
    index: false,
    setHeaders: (res, file) => {
      res.setHeader("cache-control", file.includes(`${path.sep}assets${path.sep}`) ? "public, max-age=31536000, immutable" : "no-cache");
    },
  }));

  const indexHtml = path.join(distDir, "index.html");
  app.use((req, res, next) => {
    const page = (req.method === "GET" || req.method === "HEAD") && !NOT_PAGES.test(req.path) && !/\.[A-Za-z0-9]+$/.test(req.path);
    if (!page || !req.accepts("html")) return next();
    if (!existsSync(indexHtml)) {
      res.status(503).type("text/plain").send(
        "The RealismLab dashboard is not built (web/dist is missing).\n" +
          "Run `npm run build:web` (npm install and npm start do it for you), then reload.\n" +
          "The GraphQL API is at /graphql.\n",
      );
      return;
    }
    res.setHeader("cache-control", "no-cache");
    res.sendFile(indexHtml);
  });
}
