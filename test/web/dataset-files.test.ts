// The dashboard's routes on a real server: dataset images for the qualitative view
// are served only from registered datasets' folders inside the data roots (no
// traversal, no symlink escapes, only .png/.jpg/.jpeg), and the SPA fallback leaves
// /graphql, /healthz and the leaderboard exports alone.
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql, gqlData } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { registerDataset } from "../helpers/transfer-setup";

let server: TestServer;
let base: string;
let datasetId: string;
let outside: string;

const png = (r: number) => sharp({ create: { width: 8, height: 8, channels: 3, background: { r, g: 0, b: 0 } } }).png().toBuffer();

/** GET with the path sent exactly as written (fetch would normalise "..", "%2e%2e"). */
function rawGet(pathname: string): Promise<{ status: number; type: string; body: Buffer }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: pathname, method: "GET" }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, type: String(res.headers["content-type"] ?? ""), body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  server = await startTestServer();
  base = server.app.http.url;
  const dir = path.join(server.dataRoot, "faces");
  await mkdir(path.join(dir, "id_0001"), { recursive: true });
  await mkdir(path.join(dir, "id_0000"), { recursive: true });
  await writeFile(path.join(dir, "id_0000", "0.png"), await png(200));
  await writeFile(path.join(dir, "id_0000", "1.jpg"), await sharp(await png(100)).jpeg().toBuffer());
  await writeFile(path.join(dir, "id_0001", "0.png"), await png(50));
  await writeFile(path.join(dir, "id_0001", "notes.txt"), "not an image");
  await writeFile(path.join(dir, "id_0001", "secret.png.txt"), "not an image either");
  // A sibling folder inside the data root but outside this dataset, and a file outside every root.
  await mkdir(path.join(server.dataRoot, "other"), { recursive: true });
  await writeFile(path.join(server.dataRoot, "other", "x.png"), await png(10));
  outside = await mkdtemp(path.join(os.tmpdir(), "realismlab-outside-"));
  await writeFile(path.join(outside, "leak.png"), await png(20));
  await symlink(path.join(server.dataRoot, "other", "x.png"), path.join(dir, "id_0001", "sibling.png"));
  await symlink(path.join(outside, "leak.png"), path.join(dir, "id_0001", "leak.png"));
  await symlink(outside, path.join(dir, "linked-folder"));
  await symlink(path.join(dir, "id_0000", "0.png"), path.join(dir, "id_0001", "same.png")); // stays inside: fine
  datasetId = await registerDataset(server.url, "faces", dir);
});
afterAll(async () => {
  await server?.close();
  if (outside) await rm(outside, { recursive: true, force: true });
});

describe("dataset image routes", () => {
  it("lists a dataset's images in sorted identity/file order, leaving out links that lead outside it", async () => {
    const response = await fetch(`${base}/files/datasets/${datasetId}/images?limit=10`);
    expect(response.status).toBe(200);
    const page = (await response.json()) as { dataset: unknown; images: string[]; hasMore: boolean };
    expect(page.dataset).toEqual({ id: datasetId, name: "faces" });
    expect(page.images).toEqual(["id_0000/0.png", "id_0000/1.jpg", "id_0001/0.png", "id_0001/same.png"]);
    expect(page.hasMore).toBe(false);

    const second = await (await fetch(`${base}/files/datasets/${datasetId}/images?offset=1&limit=2`)).json();
    expect(second).toMatchObject({ offset: 1, images: ["id_0000/1.jpg", "id_0001/0.png"], hasMore: true });
    const linked = await fetch(`${base}/files/datasets/${datasetId}/image/id_0001/same.png`);
    expect(linked.status).toBe(200);
  });

  it("serves a dataset's .png and .jpg files with their content type", async () => {
    const pngResponse = await fetch(`${base}/files/datasets/${datasetId}/image/id_0000/0.png`);
    expect(pngResponse.status).toBe(200);
    expect(pngResponse.headers.get("content-type")).toBe("image/png");
    expect(pngResponse.headers.get("x-content-type-options")).toBe("nosniff");
    expect((await sharp(Buffer.from(await pngResponse.arrayBuffer())).metadata()).width).toBe(8);

    const jpg = await fetch(`${base}/files/datasets/${datasetId}/image/id_0000/1.jpg`);
    expect(jpg.status).toBe(200);
    expect(jpg.headers.get("content-type")).toBe("image/jpeg");
  });

  it("refuses traversal, symlink escapes, other file types and unknown datasets", async () => {
    const image = `/files/datasets/${datasetId}/image`;
    const refused = [
      `${image}/../../../etc/passwd`,
      `${image}/%2e%2e/%2e%2e/other/x.png`,
      `${image}/id_0000/..%2f..%2fother%2fx.png`,
      `${image}/id_0000%2f..%2f..%2fother%2fx.png`,
      `${image}/..%5c..%5cother%5cx.png`,
      `${image}/id_0001/notes.txt`,
      `${image}/id_0001/secret.png.txt`,
      `${image}/id_0001/sibling.png`, // inside the data root, outside the dataset
      `${image}/id_0001/leak.png`, // outside every data root
      `${image}/linked-folder/leak.png`,
      `${image}/id_0000/missing.png`,
      `${image}/${encodeURIComponent(path.join(server.dataRoot, "other", "x.png"))}`,
      `/files/datasets/00000000-0000-4000-8000-000000000000/image/id_0000/0.png`,
      `/files/datasets/not-a-uuid/image/id_0000/0.png`,
    ];
    for (const pathname of refused) {
      const response = await rawGet(pathname);
      expect([400, 404], `${pathname} -> ${response.status}`).toContain(response.status);
      expect(response.type, pathname).not.toMatch(/^image\//);
      expect(response.body.includes("root:"), pathname).toBe(false);
    }
  });

  it("has nothing to serve for a dataset without a folder", async () => {
    const seeded = await gqlData(server.url, `{ dataset(name: "DigiFace1M") { id uri } }`);
    expect(seeded.dataset.uri).toBeNull();
    const response = await fetch(`${base}/files/datasets/${seeded.dataset.id}/images`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
  });
});

describe("dashboard mount", () => {
  it("answers page paths with the dashboard and leaves the API routes alone", async () => {
    const page = await fetch(`${base}/runs/some-id`, { headers: { accept: "text/html" } });
    // 200 with the built dashboard, 503 with instructions when web/dist is not built.
    expect([200, 503]).toContain(page.status);
    expect(await page.text()).toMatch(page.status === 200 ? /<div id="root">/ : /npm run build:web/);

    const graphql = await gql(server.url, `{ benchmarks { name } }`);
    expect(graphql.data.benchmarks.map((b: { name: string }) => b.name)).toContain("LFW");
    const csv = await fetch(`${base}/leaderboard.csv?preset=table2`);
    expect(csv.status).toBe(200);
    expect(await csv.text()).toContain("93.07");
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${base}/favicon-missing.ico`)).status).toBe(404);
  });
});
