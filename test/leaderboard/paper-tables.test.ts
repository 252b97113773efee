// Regenerates the paper's Tables 2 and 3 from the published results the server
// seeds at start, and compares them cell by cell with seed/published-results.json:
// mean±std with two decimals, the Avg column, and the bold best per column, through
// the GraphQL query, the GraphQL export field and the HTTP export route.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gqlData } from "../helpers/graphql-client";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { csvRecords, latexRows, markdownRows } from "./helpers";

interface PaperRow {
  transferMethod: string | null;
  dataset: string;
  type: "REAL" | "SYNTHETIC" | "REALISM_TRANSFERRED";
  requirement: "NONE" | "PRETRAINED_FR" | null;
  mean: number[];
  std: number[];
  avg?: [number, number];
}

const paper = JSON.parse(readFileSync(new URL("../../seed/published-results.json", import.meta.url), "utf8")) as {
  table2_verification_accuracy: { benchmarks: string[]; rows: PaperRow[] };
  table3_ijbc_tar_at_fmr: { benchmark: string; fmrs: number[]; rows: PaperRow[] };
};
const table2 = paper.table2_verification_accuracy;
const table3 = paper.table3_ijbc_tar_at_fmr;

// Bold cells as printed in the paper (<b> in Table 2 and 3): the real-data row, and
// the best No-Req row per column; rows needing a pre-trained FR model are never bold.
const PAPER_BOLD_TABLE2: Record<string, boolean[]> = {
  WebFace4M: [true, true, true, true, true, true],
  DigiFace1M: [false, false, false, false, false, false],
  "VSAIT/DigiFace1M": [false, false, false, false, true, false],
  "CodeFormer/DigiFace1M": [true, true, true, true, false, true],
  IDiffFace: [false, false, false, false, false, false],
  DCFace: [false, false, false, false, false, false],
};
const PAPER_BOLD_TABLE3: Record<string, boolean[]> = {
  WebFace4M: Array(6).fill(true),
  DigiFace1M: Array(6).fill(false),
  "VSAIT/DigiFace1M": Array(6).fill(false),
  "CodeFormer/DigiFace1M": Array(6).fill(true),
  IDiffFace: Array(6).fill(false),
  DCFace: Array(6).fill(false),
};

const rowName = (r: { transferMethod: string | null; dataset: string }) =>
  r.transferMethod ? `${r.transferMethod}/${r.dataset}` : r.dataset;
const pm = (mean: number, std: number) => `${mean.toFixed(2)}±${std.toFixed(2)}`;

let server: TestServer;
let httpBase: string;
beforeAll(async () => {
  server = await startTestServer();
  httpBase = server.url.replace(/\/graphql$/, "");
});
afterAll(() => server?.close());

const LEADERBOARD = `query($preset: LeaderboardPreset, $filter: LeaderboardFilter, $baseline: LeaderboardRowSelector) {
  leaderboard(preset: $preset, filter: $filter, baseline: $baseline) {
    std displayScale hasAverage bestScope skipBestRequirements
    columns { index label metric benchmark { name } direction }
    rows {
      key label published source runCount kind requirement
      dataset { name } transferMethod { name }
      cells { column n mean std stdFrom best delta text }
      average { n mean std stdFrom best delta text }
    }
  }
}`;

function expectedTable(rows: PaperRow[], bold: Record<string, boolean[]>, withAvg: boolean) {
  return rows.map((r) => {
    const cells = r.mean.map((m, i) => ({ text: pm(m, r.std[i]!), bold: bold[rowName(r)]![i]! }));
    if (withAvg) cells.push({ text: pm(r.avg![0], r.avg![1]), bold: bold[rowName(r)]![r.mean.length]! });
    return { name: rowName(r), row: r, cells };
  });
}

const TYPE_TEXT = { REAL: "Real", SYNTHETIC: "Syn", REALISM_TRANSFERRED: "Syn-RT" } as const;
const REQ_TEXT = (r: PaperRow["requirement"]) => (r === null ? "-" : r === "NONE" ? "No-Req" : "Pre-Trained FR");

describe.each([
  { table: "Table 2", preset: "PAPER_TABLE_2", source: table2, bold: PAPER_BOLD_TABLE2, withAvg: true },
  { table: "Table 3", preset: "PAPER_TABLE_3", source: table3, bold: PAPER_BOLD_TABLE3, withAvg: false },
])("the paper's $table from the seeded published results", ({ preset, source, bold, withAvg }) => {
  const expected = expectedTable(source.rows, bold, withAvg);

  it("matches the paper cell by cell through the leaderboard query, in the paper's row order", async () => {
    const data = await gqlData(server.url, LEADERBOARD, { preset, filter: { published: true } });
    const board = data.leaderboard;
    expect(board.std).toBe("POPULATION");
    expect(board.displayScale).toBe(100);
    expect(board.hasAverage).toBe(withAvg);
    expect(board.bestScope).toBe("PER_REQUIREMENT");
    expect(board.skipBestRequirements).toEqual(["PRETRAINED_FR"]);
    if (preset === "PAPER_TABLE_2") {
      expect(board.columns.map((c: any) => c.benchmark.name)).toEqual(table2.benchmarks);
      expect(board.columns.every((c: any) => c.metric === "accuracy" && c.direction === "HIGHER_IS_BETTER")).toBe(true);
    } else {
      expect(board.columns.map((c: any) => c.metric)).toEqual(table3.fmrs.map((f) => `tar@fmr=${f.toExponential()}`));
      expect(board.columns.map((c: any) => c.label)).toEqual(["1e-06", "1e-05", "1e-04", "0.001", "0.01", "0.1"]);
    }

    expect(board.rows.map((r: any) => rowName({ transferMethod: r.transferMethod?.name ?? null, dataset: r.dataset.name }))).toEqual(
      expected.map((e) => e.name),
    );
    board.rows.forEach((row: any, i: number) => {
      const { row: paperRow, cells } = expected[i]!;
      expect(row.published).toBe(true);
      expect(row.source).toMatch(/^Rahimi, Razeghi, Marcel/);
      expect(row.runCount).toBe(1);
      expect(row.kind).toBe(paperRow.type);
      expect(row.requirement).toBe(paperRow.requirement);
      const all = [...row.cells, ...(withAvg ? [row.average] : [])];
      expect(all).toHaveLength(cells.length);
      all.forEach((cell: any, c: number) => {
        expect(cell.text).toBe(cells[c]!.text);
        expect(cell.best).toBe(cells[c]!.bold);
        expect(cell.n).toBe(1);
        expect(cell.stdFrom).toBe("PUBLISHED");
        expect(cell.delta).toBeNull();
      });
      // Stored as fractions: the paper's 93.07 is 0.9307.
      row.cells.forEach((cell: any, c: number) => {
        expect(cell.mean).toBeCloseTo(paperRow.mean[c]! / 100, 12);
        expect(cell.std).toBeCloseTo(paperRow.std[c]! / 100, 12);
      });
    });
  });

  it("exports the same table as Markdown and LaTeX, bold where the paper is bold", async () => {
    const md = (await gqlData(server.url, `query($p: LeaderboardPreset) { leaderboardExport(format: MARKDOWN, preset: $p, filter: { published: true }) { format contentType extension content } }`, { p: preset })).leaderboardExport;
    expect(md).toMatchObject({ format: "MARKDOWN", extension: "md", contentType: "text/markdown; charset=utf-8" });
    const [header, ...rows] = markdownRows(md.content);
    expect(header!.slice(0, 4)).toEqual(["Transfer Method", "Dataset", "Type", "SynGen Req"]);
    expect(rows).toHaveLength(expected.length);
    rows.forEach((cells, i) => {
      const { row, cells: want } = expected[i]!;
      expect(cells.slice(0, 4)).toEqual([row.transferMethod ?? "None", row.dataset, TYPE_TEXT[row.type], REQ_TEXT(row.requirement)]);
      expect(cells.slice(4)).toEqual(want.map((w) => (w.bold ? `**${w.text}**` : w.text)));
    });

    const tex = await fetch(`${httpBase}/leaderboard.tex?preset=${preset === "PAPER_TABLE_2" ? "table2" : "table3"}&published=true`);
    expect(tex.status).toBe(200);
    expect(tex.headers.get("content-type")).toContain("application/x-tex");
    const latex = await tex.text();
    expect(latex).toContain("\\begin{tabular}{llll");
    expect(latex).toMatch(/\\toprule[\s\S]*\\midrule[\s\S]*\\bottomrule/);
    const [texHeader, ...texRows] = latexRows(latex);
    expect(texHeader!.slice(4)).toEqual(
      preset === "PAPER_TABLE_2" ? [...table2.benchmarks, "Avg"] : ["1e-06", "1e-05", "1e-04", "0.001", "0.01", "0.1"],
    );
    expect(texRows).toHaveLength(expected.length);
    texRows.forEach((cells, i) => {
      const want = expected[i]!.cells.map((w) => {
        const text = w.text.replace("±", "$\\pm$");
        return w.bold ? `\\textbf{${text}}` : text;
      });
      expect(cells.slice(4)).toEqual(want);
    });
  });
});

describe("published rows beside a baseline", () => {
  it("gives deltas to DigiFace1M, the paper's 'average improvement of 2.0%' for CodeFormer and VSAIT", async () => {
    const data = await gqlData(server.url, LEADERBOARD, {
      preset: "PAPER_TABLE_2",
      filter: { published: true },
      baseline: { dataset: "DigiFace1M", transferMethod: null },
    });
    const rows = data.leaderboard.rows;
    const byName = new Map(rows.map((r: any) => [rowName({ transferMethod: r.transferMethod?.name ?? null, dataset: r.dataset.name }), r]));
    const base = byName.get("DigiFace1M") as any;
    expect(base.cells.every((c: any) => c.delta === 0)).toBe(true);
    const codeformer = byName.get("CodeFormer/DigiFace1M") as any;
    // 93.07 - 91.29 on LFW; the Avg delta uses the paper's Avg: 80.40 - 78.14.
    expect(codeformer.cells[0].delta).toBeCloseTo(0.0178, 10);
    expect(codeformer.average.delta).toBeCloseTo(0.0226, 10);
    expect((byName.get("VSAIT/DigiFace1M") as any).average.delta).toBeCloseTo(0.0218, 10);
  });

  it("serves CSV over HTTP with numeric columns and rejects bad parameters with 400", async () => {
    const csv = await fetch(`${httpBase}/leaderboard.csv?preset=table3&published=true`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const text = await csv.text();
    const header = text.slice(0, text.indexOf("\n")).split(",");
    // No row keys, ids or paths in an export.
    expect(header.slice(0, 9)).toEqual(["label", "transfer_method", "dataset", "type", "requirement", "published", "source", "runs", "non_standard"]);
    expect(header.slice(9, 14)).toEqual(["1e-06 mean", "1e-06 std", "1e-06 n", "1e-06 best", "1e-06 non_standard"]);
    const records = csvRecords(text);
    expect(records.map((r) => r.dataset)).toEqual(table3.rows.map((r) => r.dataset));
    const dcface = records.find((r) => r.dataset === "DCFace")!;
    expect(dcface).toMatchObject({ type: "SYNTHETIC", requirement: "PRETRAINED_FR", published: "true", runs: "1" });
    expect(dcface.source).toBe(JSON.parse(readFileSync(new URL("../../seed/published-results.json", import.meta.url), "utf8")).source);
    expect([dcface["1e-06 mean"], dcface["1e-06 std"], dcface["1e-06 n"], dcface["1e-06 best"]]).toEqual(["40.89", "0.21", "1", "false"]);
    expect([dcface["0.1 mean"], dcface["0.1 std"]]).toEqual(["97.25", "0.02"]);
    const codeformer = records.find((r) => r.transfer_method === "CodeFormer")!;
    expect([codeformer["1e-04 mean"], codeformer["1e-04 std"], codeformer["1e-04 best"]]).toEqual(["45.88", "3.53", "true"]);

    const bad = await fetch(`${httpBase}/leaderboard.md?benchmarks=LFW,MegaFace`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: "BAD_USER_INPUT", field: "benchmarks[1]" } });
    const badStd = await fetch(`${httpBase}/leaderboard.md?std=median`);
    expect(badStd.status).toBe(400);
    expect(((await badStd.json()) as { error: { message: string } }).error.message).toContain("median");
  });
});

describe("the export route when reads need a token (READS_PUBLIC=false)", () => {
  it("answers 401 without a token and the table with a READ token", async () => {
    const closed = await startTestServer({ AUTH_REQUIRED: "true", READS_PUBLIC: "false" });
    try {
      const base = closed.url.replace(/\/graphql$/, "");
      const anonymous = await fetch(`${base}/leaderboard.md?preset=table2`);
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toMatchObject({ error: { code: "UNAUTHENTICATED" } });
      const { secret } = await closed.app.services.auth.createToken({ name: "reader", scopes: ["READ"] });
      const allowed = await fetch(`${base}/leaderboard.md?preset=table2&published=true`, { headers: { authorization: `Bearer ${secret}` } });
      expect(allowed.status).toBe(200);
      const rows = markdownRows(await allowed.text());
      expect(rows.slice(1).map((r) => r[1])).toEqual(table2.rows.map((r) => r.dataset));
    } finally {
      await closed.close();
    }
  });
});
