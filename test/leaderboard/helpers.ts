// Shared by the leaderboard tests: creating runs the way a training script does
// (createRun, logMetrics, updateRun through GraphQL) and reading the exports back.
import { gqlData } from "../helpers/graphql-client";

export interface EvalRunSpec {
  datasetId: string;
  transferMethodId?: string | null;
  seed?: number | null;
  params?: Record<string, unknown>;
  group?: string;
  kind?: "EVALUATE" | "TRAIN" | "TRANSFER" | "DATASET_QUALITY";
  /** benchmark -> accuracy (fraction) or [accuracy, fold std]. */
  accuracy?: Record<string, number | [number, number]>;
  points?: Array<{ name: string; value: number; std?: number; step?: number; benchmark?: string }>;
  /** Final status (default SUCCEEDED); RUNNING leaves the run going. */
  status?: "SUCCEEDED" | "FAILED" | "CANCELLED" | "RUNNING";
  device?: string;
}

export async function createDataset(url: string, input: Record<string, unknown>): Promise<string> {
  const data = await gqlData(url, `mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }`, { input });
  return data.createDataset.id;
}

export async function idOf(url: string, what: "dataset" | "transferMethod", name: string): Promise<string> {
  const data = await gqlData(url, `query($name: String) { ${what}(name: $name) { id } }`, { name });
  return data[what].id;
}

export async function createRun(url: string, spec: EvalRunSpec): Promise<string> {
  const created = await gqlData(
    url,
    `mutation($input: CreateRunInput!) { createRun(input: $input) { id } }`,
    {
      input: {
        kind: spec.kind ?? "EVALUATE",
        datasetId: spec.datasetId,
        transferMethodId: spec.transferMethodId ?? null,
        seed: spec.seed ?? null,
        params: spec.params ?? {},
        group: spec.group ?? null,
      },
    },
  );
  const id: string = created.createRun.id;
  const points = [
    ...Object.entries(spec.accuracy ?? {}).map(([benchmark, v]) =>
      Array.isArray(v) ? { name: "accuracy", benchmark, value: v[0], std: v[1] } : { name: "accuracy", benchmark, value: v },
    ),
    ...(spec.points ?? []),
  ];
  if (points.length) {
    await gqlData(url, `mutation($id: ID!, $points: [MetricPointInput!]!) { logMetrics(runId: $id, points: $points) { inserted } }`, { id, points });
  }
  const status = spec.status ?? "SUCCEEDED";
  if (status !== "RUNNING" || spec.device) {
    await gqlData(url, `mutation($id: ID!, $input: UpdateRunInput!) { updateRun(id: $id, input: $input) { id } }`, {
      id,
      input: { ...(status !== "RUNNING" ? { status } : {}), ...(spec.device ? { device: spec.device } : {}) },
    });
  }
  return id;
}

export function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

export function populationStd(values: number[]): number {
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / values.length);
}

export function sampleStd(values: number[]): number {
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}

/** RFC 4180 CSV (quoted fields, doubled quotes) into rows of fields. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

/** CSV rows as objects keyed by the header. */
export function csvRecords(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ""])));
}

/** Splits a Markdown table into rows of cells (header first, separator dropped). */
export function markdownRows(markdown: string): string[][] {
  return markdown
    .split("\n")
    .filter((l) => l.startsWith("|") && !/^\|\s*-/.test(l))
    .map((l) => l.slice(1, -1).split(" | ").map((c) => c.trim()));
}

/** The header and body rows of a booktabs tabular, split into cells. */
export function latexRows(latex: string): string[][] {
  const body = latex.slice(latex.indexOf("\\toprule") + "\\toprule".length, latex.indexOf("\\bottomrule"));
  return body
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.endsWith("\\\\"))
    .map((l) => l.slice(0, -2).split(" & ").map((c) => c.trim()));
}
