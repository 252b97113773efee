// The leaderboard as CSV, Markdown and LaTeX (booktabs). Values print like the
// paper: x100, two decimals, `mean±std`, the best per column in bold. Published
// rows are marked in a Runs column when the table mixes them with own runs.
import type { DatasetKind, Requirement } from "../../generated/prisma/enums";
import { configValueText } from "../../domain/run-config";
import { paramHeaders } from "./labels";
import type { ExportFormat, Leaderboard, LeaderboardCell, LeaderboardRow } from "./types";

export interface LeaderboardExport {
  format: ExportFormat;
  contentType: string;
  extension: string;
  content: string;
}

export const EXPORT_TYPES: Record<ExportFormat, { contentType: string; extension: string }> = {
  CSV: { contentType: "text/csv; charset=utf-8", extension: "csv" },
  MARKDOWN: { contentType: "text/markdown; charset=utf-8", extension: "md" },
  LATEX: { contentType: "application/x-tex; charset=utf-8", extension: "tex" },
};

const KIND_TEXT: Record<DatasetKind, string> = { REAL: "Real", SYNTHETIC: "Syn", REALISM_TRANSFERRED: "Syn-RT" };
const REQUIREMENT_TEXT: Record<Requirement, string> = {
  NONE: "No-Req",
  IDENTITY_LABELS: "Identity Labels",
  PRETRAINED_FR: "Pre-Trained FR",
};

/** 0.9307 -> "93.07" (never "-0.00"). */
export function percent(value: number | null, scale = 100): string {
  if (value == null) return "";
  const text = (value * scale).toFixed(2);
  return /^-0\.0+$/.test(text) ? text.slice(1) : text;
}

function signedPercent(value: number | null, scale = 100): string {
  if (value == null) return "";
  const text = percent(value, scale);
  return value * scale > 0 && text !== "0.00" ? `+${text}` : text;
}

/** "93.07±0.27" (std omitted when unknown). */
export function cellText(cell: LeaderboardCell | null, scale = 100, pm = "±"): string {
  if (!cell || cell.mean == null) return "";
  return cell.std == null ? percent(cell.mean, scale) : `${percent(cell.mean, scale)}${pm}${percent(cell.std, scale)}`;
}

interface Descriptor {
  header: string;
  value: (row: LeaderboardRow) => string;
}

/** The row-describing columns: the paper's four, then what else tells rows apart. */
function describers(board: Leaderboard): Descriptor[] {
  const list: Descriptor[] = [];
  if (board.groupBy.transferMethod) list.push({ header: "Transfer Method", value: (r) => r.transferMethodName ?? "None" });
  if (board.groupBy.dataset) list.push({ header: "Dataset", value: (r) => r.baseDatasetName ?? r.datasetName ?? "" });
  list.push({ header: "Type", value: (r) => (r.kind ? KIND_TEXT[r.kind] : "") });
  list.push({ header: "SynGen Req", value: (r) => (r.requirement ? REQUIREMENT_TEXT[r.requirement] : "-") });
  const keys = board.labelKeys;
  const names = paramHeaders(keys);
  for (const key of keys) {
    list.push({ header: names.get(key)!, value: (r) => (r.published ? "" : configValueText(r.params?.[key])) });
  }
  if (board.groupBy.group) list.push({ header: "Group", value: (r) => r.group ?? "" });
  if (board.rows.some((r) => !r.published)) {
    list.push({ header: "Runs", value: (r) => (r.published ? "published" : String(r.runCount)) });
  }
  return list;
}


function headers(board: Leaderboard): string[] {
  return [...board.columns.map((c) => c.label), ...(board.hasAverage ? ["Avg"] : [])];
}

function valueCells(row: LeaderboardRow, board: Leaderboard): LeaderboardCell[] {
  return [...row.cells, ...(board.hasAverage && row.average ? [row.average] : [])];
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function toCsv(board: Leaderboard): string {
  const scale = board.displayScale;
  // No row key, ids or paths: a CSV is for reading and plotting (the API has the keys).
  const base = ["label", "transfer_method", "dataset", "type", "requirement", "published", "source", "runs", "non_standard"];
  const params = board.labelKeys;
  const metricHeaders = headers(board).flatMap((h) => [
    `${h} mean`,
    `${h} std`,
    `${h} n`,
    `${h} best`,
    ...(board.baseline ? [`${h} delta`] : []),
    `${h} non_standard`,
  ]);
  const lines = [[...base, ...params.map((p) => `param ${p}`), ...(board.groupBy.group ? ["group"] : []), ...metricHeaders]];
  for (const row of board.rows) {
    lines.push([
      row.label,
      row.transferMethodName ?? "",
      row.baseDatasetName ?? row.datasetName ?? "",
      row.kind ?? "",
      row.requirement ?? "",
      String(row.published),
      row.source ?? "",
      String(row.runCount),
      row.nonStandardNotes.join("; "),
      ...params.map((p) => (row.published ? "" : configValueText(row.params?.[p]))),
      ...(board.groupBy.group ? [row.group ?? ""] : []),
      ...valueCells(row, board).flatMap((cell) => [
        percent(cell.mean, scale),
        percent(cell.std, scale),
        String(cell.n),
        String(cell.best),
        ...(board.baseline ? [signedPercent(cell.delta, scale)] : []),
        String(cell.nonStandard),
      ]),
    ]);
  }
  return lines.map((line) => line.map(csvField).join(",")).join("\n") + "\n";
}

/** What the values are, in words (the Markdown note and the LaTeX caption). */
function note(board: Leaderboard): string {
  const std = board.std === "SAMPLE" ? "sample" : "population";
  const metrics = [...new Set(board.columns.map((c) => c.metric))];
  const what = metrics.length === 1 ? METRIC_WORDS[metrics[0]!] ?? metrics[0]! : "Results";
  const benchmarks = [...new Set(board.columns.map((c) => c.benchmark))].join(", ");
  const parts = [`${what} (%) on ${benchmarks}: mean±std over runs (${std} std), best per column in bold`];
  if (board.bestScope === "PER_REQUIREMENT") parts.push("best within each requirement class");
  if (board.skipBestRequirements.length) parts.push(`rows needing ${board.skipBestRequirements.map((r) => REQUIREMENT_TEXT[r]).join(", ")} never marked`);
  if (board.rows.some((r) => r.published)) parts.push("published rows show the paper's std");
  if (board.baseline) parts.push(`(±x.xx): difference to ${board.baseline.label}`);
  if (board.rows.some((r) => r.nonStandard)) parts.push(`${NON_STANDARD_MARK}: evaluated off the benchmark's protocol, never marked best`);
  return `${parts.join("; ")}.`;
}

const METRIC_WORDS: Record<string, string> = { accuracy: "Verification accuracy" };
/** Marks off-protocol values (e.g. 300 LFW pairs) in Markdown; LaTeX prints a dagger. */
const NON_STANDARD_MARK = "†";

/** One line per off-protocol row: its label and what was off. */
function nonStandardLines(board: Leaderboard): string[] {
  return board.rows.filter((r) => r.nonStandard).map((r) => `${r.label}: ${r.nonStandardNotes.join("; ")}`);
}

function withDelta(text: string, cell: LeaderboardCell, board: Leaderboard, wrap: (d: string) => string): string {
  if (!board.baseline || cell.delta == null || !text) return text;
  return `${text} ${wrap(signedPercent(cell.delta, board.displayScale))}`;
}

export function toMarkdown(board: Leaderboard): string {
  const described = describers(board);
  const head = [...described.map((d) => d.header), ...headers(board)];
  const escape = (s: string) => s.replaceAll("|", "\\|");
  const lines = [
    `| ${head.map(escape).join(" | ")} |`,
    `| ${[...described.map(() => "---"), ...headers(board).map(() => "---:")].join(" | ")} |`,
  ];
  for (const row of board.rows) {
    const values = valueCells(row, board).map((cell) => {
      const text = cellText(cell, board.displayScale);
      const shown = cell.best && text ? `**${text}**` : text;
      const marked = cell.nonStandard && shown ? `${shown}${NON_STANDARD_MARK}` : shown;
      return withDelta(marked, cell, board, (d) => `(${d})`);
    });
    lines.push(`| ${[...described.map((d) => escape(d.value(row))), ...values].join(" | ")} |`);
  }
  const footnotes = nonStandardLines(board).map((l) => `${NON_STANDARD_MARK} ${l}`);
  return `${lines.join("\n")}\n\n${[note(board), ...footnotes].join("\n")}\n`;
}

const LATEX_SPECIAL: Record<string, string> = {
  "\\": "\\textbackslash{}",
  "&": "\\&",
  "%": "\\%",
  $: "\\$",
  "#": "\\#",
  _: "\\_",
  "{": "\\{",
  "}": "\\}",
  "~": "\\textasciitilde{}",
  "^": "\\textasciicircum{}",
};

export function latexEscape(text: string): string {
  return text.replace(/[\\&%$#_{}~^]/g, (c) => LATEX_SPECIAL[c]!);
}

/** Escaped text with ± and † as math (they are not in LaTeX's default text encoding). */
function latexText(text: string): string {
  return latexEscape(text).replaceAll("±", "$\\pm$").replaceAll(NON_STANDARD_MARK, "$^\\dagger$");
}

/** A booktabs table with a caption in words; needs \usepackage{booktabs}. */
export function toLatex(board: Leaderboard): string {
  const described = describers(board);
  const spec = `${"l".repeat(described.length)}${"c".repeat(headers(board).length)}`;
  const footnotes = nonStandardLines(board).map((l) => ` $^\\dagger$${latexText(l)}.`);
  const lines = [
    "% requires \\usepackage{booktabs}",
    "\\begin{table}[t]",
    "\\centering",
    `\\caption{${latexText(note(board))}${footnotes.join("")}}`,
    "\\label{tab:leaderboard}",
    `\\begin{tabular}{${spec}}`,
    "\\toprule",
    `${[...described.map((d) => d.header), ...headers(board)].map(latexEscape).join(" & ")} \\\\`,
    "\\midrule",
  ];
  for (const row of board.rows) {
    const values = valueCells(row, board).map((cell) => {
      const text = cellText(cell, board.displayScale, "$\\pm$");
      const shown = cell.best && text ? `\\textbf{${text}}` : text;
      const marked = cell.nonStandard && shown ? `${shown}$^\\dagger$` : shown;
      return withDelta(marked, cell, board, (d) => `{\\scriptsize(${d})}`);
    });
    lines.push(`${[...described.map((d) => latexEscape(d.value(row))), ...values].join(" & ")} \\\\`);
  }
  lines.push("\\bottomrule", "\\end{tabular}", "\\end{table}");
  return `${lines.join("\n")}\n`;
}

export function exportLeaderboard(board: Leaderboard, format: ExportFormat): LeaderboardExport {
  const content = format === "CSV" ? toCsv(board) : format === "MARKDOWN" ? toMarkdown(board) : toLatex(board);
  return { format, ...EXPORT_TYPES[format], content };
}
