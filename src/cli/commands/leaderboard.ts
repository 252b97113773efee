import { choice, flag, list, str, type ParsedArgs } from "../args";
import type { Command } from "../command";
import { UsageError } from "../errors";
import { json, table } from "../format";
import { graphql } from "../../generated/graphql/cli";
import {
  StdKind,
  type CliLeaderboardQuery,
  type CliLeaderboardQueryVariables,
  type LeaderboardExportFormat,
  type LeaderboardOrderField,
  type LeaderboardPreset,
} from "../../generated/graphql/cli/graphql";

const FORMATS = ["table", "csv", "markdown", "latex"] as const;
const PRESETS: Record<string, LeaderboardPreset> = { table2: "PAPER_TABLE_2", table3: "PAPER_TABLE_3" };
const ORDER: Record<string, LeaderboardOrderField> = { "first-run": "FIRST_RUN", label: "LABEL", average: "AVERAGE" };
const EXPORT_FORMAT: Record<Exclude<(typeof FORMATS)[number], "table">, LeaderboardExportFormat> = { csv: "CSV", markdown: "MARKDOWN", latex: "LATEX" };

// Variables the flags do not give are left out of the request, so the server's defaults apply.
const BOARD = graphql(`query CliLeaderboard($preset: LeaderboardPreset, $benchmarks: [String!], $metric: String, $filter: LeaderboardFilter, $baseline: LeaderboardRowSelector, $std: StdKind, $orderBy: LeaderboardOrder) {
  leaderboard(preset: $preset, benchmarks: $benchmarks, metric: $metric, filter: $filter, baseline: $baseline, std: $std, orderBy: $orderBy) {
    std displayScale hasAverage columns { index label metric } baseline { label }
    rows { key label published runCount isBaseline cells { text best delta n nonStandard } average { text best delta n nonStandard } }
  }
}`);
const EXPORT = graphql(`query CliLeaderboardExport($format: LeaderboardExportFormat!, $preset: LeaderboardPreset, $benchmarks: [String!], $metric: String, $filter: LeaderboardFilter, $baseline: LeaderboardRowSelector, $std: StdKind, $orderBy: LeaderboardOrder) {
  leaderboardExport(format: $format, preset: $preset, benchmarks: $benchmarks, metric: $metric, filter: $filter, baseline: $baseline, std: $std, orderBy: $orderBy) { content }
}`);

type Board = CliLeaderboardQuery["leaderboard"];
type Cell = Board["rows"][number]["cells"][number];

/** The leaderboard arguments the flags ask for; only given ones are sent (so server defaults apply). */
function leaderboardArguments(args: ParsedArgs): CliLeaderboardQueryVariables {
  const given: CliLeaderboardQueryVariables = {};
  const presetValue = str(args, "preset");
  if (presetValue) given.preset = PRESETS[choice("--preset", presetValue, Object.keys(PRESETS))];
  const benchmarks = list(args, "benchmark");
  if (benchmarks.length) given.benchmarks = benchmarks;
  const metric = str(args, "metric");
  if (metric) given.metric = metric;
  if (flag(args, "published") && flag(args, "own")) throw new UsageError("--published and --own do not go together");
  const filter = {
    ...(flag(args, "published") ? { published: true } : flag(args, "own") ? { published: false } : {}),
    ...(list(args, "dataset").length ? { datasets: list(args, "dataset") } : {}),
    ...(list(args, "method").length ? { transferMethods: list(args, "method") } : {}),
  };
  if (Object.keys(filter).length) given.filter = filter;
  const baseline = str(args, "baseline");
  const baselineKey = str(args, "baseline-key");
  if (baseline && baselineKey) throw new UsageError("--baseline and --baseline-key do not go together");
  if (baseline) given.baseline = { dataset: baseline, transferMethod: null };
  if (baselineKey) given.baseline = { key: baselineKey };
  const std = str(args, "std");
  if (std) given.std = choice("--std", std, Object.values(StdKind));
  const sort = str(args, "sort");
  if (sort) given.orderBy = { field: ORDER[choice("--sort", sort, Object.keys(ORDER))]! };
  return given;
}

function cellText(cell: Cell | null | undefined, scale: number, withDelta: boolean): string {
  if (!cell || cell.text == null) return "-";
  let text = cell.nonStandard ? `${cell.text}†` : cell.text;
  if (withDelta && cell.delta != null) text += ` (${cell.delta >= 0 ? "+" : ""}${(cell.delta * scale).toFixed(2)})`;
  return cell.best ? `${text} *` : text;
}

const LABEL_WIDTH = 72;

function shorten(label: string, wide: boolean): string {
  return wide || label.length <= LABEL_WIDTH ? label : `${label.slice(0, LABEL_WIDTH - 3)}...`;
}

export function renderBoard(board: Board, { wide = false } = {}): string {
  const withDelta = board.baseline != null;
  const columns = [
    { header: "ROW", value: (r: Board["rows"][number]) => `${shorten(r.label, wide)}${r.isBaseline ? " [baseline]" : ""}` },
    { header: "N", value: (r: Board["rows"][number]) => String(r.runCount), right: true },
    ...board.columns.map((c) => ({ header: c.label, value: (r: Board["rows"][number]) => cellText(r.cells[c.index], board.displayScale, withDelta), right: true })),
    ...(board.hasAverage ? [{ header: "Avg", value: (r: Board["rows"][number]) => cellText(r.average, board.displayScale, withDelta), right: true }] : []),
  ];
  const legend = [
    `mean±std x${board.displayScale} over N runs (${board.std.toLowerCase()} std; published rows: the paper's std); * best in column`,
    withDelta ? `; (±d) delta to the baseline ${shorten(board.baseline!.label, wide)}` : "",
    board.rows.some((r) => [...r.cells, r.average].some((c) => c?.nonStandard)) ? "; † off the benchmark's protocol (never best)" : "",
  ].join("");
  return `${table(board.rows, columns)}\n\n${legend}`;
}

export const leaderboard: Command = {
  name: "leaderboard",
  summary: "Print the leaderboard as a table, CSV, Markdown or LaTeX",
  usage: "leaderboard [--benchmark NAME...] [--format table|csv|markdown|latex] [options]",
  description:
    "Rows of SUCCEEDED evaluations (mean±std over runs, x100 like the paper) beside the paper's published results. --format table is aligned text from the leaderboard query; csv, markdown and latex are the server's leaderboardExport (print to a file with > board.tex).",
  options: {
    benchmark: { type: "string", multiple: true, value: "NAME", description: "Columns (repeatable or comma-separated; default every 10-fold benchmark)" },
    metric: { type: "string", value: "NAME", description: "Metric of the columns, e.g. accuracy, tar@fmr=1e-4" },
    preset: { type: "string", value: "table2|table3", description: "The paper's Table 2 (verification accuracy) or Table 3 (IJB-C TAR@FMR)" },
    format: { type: "string", short: "f", value: "FORMAT", description: "table (default), csv, markdown or latex" },
    published: { type: "boolean", description: "Only the published results" },
    own: { type: "boolean", description: "Only runs tracked here" },
    dataset: { type: "string", multiple: true, value: "NAME|ID", description: "Only rows trained on these datasets (or data transferred from them)" },
    method: { type: "string", multiple: true, value: "NAME|ID", description: "Only rows with these transfer methods" },
    baseline: { type: "string", value: "DATASET", description: "Show deltas to this dataset's untransferred row" },
    "baseline-key": { type: "string", value: "KEY", description: "Show deltas to the row with this key (when --baseline matches several; keys are in --json)" },
    std: { type: "string", value: "population|sample", description: "Which std over runs (default population)" },
    sort: { type: "string", value: "first-run|label|average", description: "Row order (default first-run)" },
    wide: { type: "boolean", description: `With --format table: full row labels (else cut at ${LABEL_WIDTH} characters)` },
    json: { type: "boolean", description: "With --format table: print the leaderboard as JSON" },
  },
  examples: [
    "realismlab leaderboard --benchmark LFW,CFP-FP",
    "realismlab leaderboard --preset table2 --format latex > table2.tex",
    "realismlab leaderboard --own --baseline DigiFace1M --format markdown",
  ],
  async run(ctx, args) {
    const format = choice("--format", str(args, "format") ?? "table", FORMATS);
    const variables = leaderboardArguments(args);
    if (format === "table") {
      const data = await ctx.client.request(BOARD, variables);
      if (flag(args, "json")) ctx.out(json(data.leaderboard));
      else if (!data.leaderboard.rows.length) ctx.info("no rows: nothing evaluated matches");
      else ctx.out(renderBoard(data.leaderboard, { wide: flag(args, "wide") }));
      return 0;
    }
    if (flag(args, "json")) throw new UsageError("--json goes with --format table");
    const data = await ctx.client.request(EXPORT, { ...variables, format: EXPORT_FORMAT[format] });
    const content = data.leaderboardExport.content;
    ctx.out(content.endsWith("\n") ? content.slice(0, -1) : content);
    return 0;
  },
};
