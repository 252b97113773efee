import { choice, flag, list, str, type ParsedArgs } from "../args";
import type { Command } from "../command";
import { UsageError } from "../errors";
import { json, table } from "../format";

const FORMATS = ["table", "csv", "markdown", "latex"] as const;
const PRESETS: Record<string, string> = { table2: "PAPER_TABLE_2", table3: "PAPER_TABLE_3" };
const ORDER: Record<string, string> = { "first-run": "FIRST_RUN", label: "LABEL", average: "AVERAGE" };

/** The leaderboard arguments the flags ask for, with their GraphQL types; only given ones are sent (so server defaults apply). */
function leaderboardArguments(args: ParsedArgs): Array<{ name: string; type: string; value: unknown }> {
  const given: Array<{ name: string; type: string; value: unknown }> = [];
  const presetValue = str(args, "preset");
  if (presetValue) given.push({ name: "preset", type: "LeaderboardPreset", value: PRESETS[choice("--preset", presetValue, Object.keys(PRESETS))] });
  const benchmarks = list(args, "benchmark");
  if (benchmarks.length) given.push({ name: "benchmarks", type: "[String!]", value: benchmarks });
  const metric = str(args, "metric");
  if (metric) given.push({ name: "metric", type: "String", value: metric });
  if (flag(args, "published") && flag(args, "own")) throw new UsageError("--published and --own do not go together");
  const filter = {
    ...(flag(args, "published") ? { published: true } : flag(args, "own") ? { published: false } : {}),
    ...(list(args, "dataset").length ? { datasets: list(args, "dataset") } : {}),
    ...(list(args, "method").length ? { transferMethods: list(args, "method") } : {}),
  };
  if (Object.keys(filter).length) given.push({ name: "filter", type: "LeaderboardFilter", value: filter });
  const baseline = str(args, "baseline");
  const baselineKey = str(args, "baseline-key");
  if (baseline && baselineKey) throw new UsageError("--baseline and --baseline-key do not go together");
  if (baseline) given.push({ name: "baseline", type: "LeaderboardRowSelector", value: { dataset: baseline, transferMethod: null } });
  if (baselineKey) given.push({ name: "baseline", type: "LeaderboardRowSelector", value: { key: baselineKey } });
  const std = str(args, "std");
  if (std) given.push({ name: "std", type: "StdKind", value: choice("--std", std, ["POPULATION", "SAMPLE"] as const) });
  const sort = str(args, "sort");
  if (sort) given.push({ name: "orderBy", type: "LeaderboardOrder", value: { field: ORDER[choice("--sort", sort, Object.keys(ORDER))] } });
  return given;
}

interface Cell {
  text: string | null;
  best: boolean;
  delta: number | null;
  n: number;
  /** Evaluated off the benchmark's protocol (printed with †, never best). */
  nonStandard?: boolean;
}

interface Board {
  std: string;
  displayScale: number;
  hasAverage: boolean;
  columns: Array<{ index: number; label: string; metric: string }>;
  baseline: { label: string } | null;
  rows: Array<{ key: string; label: string; published: boolean; runCount: number; isBaseline: boolean; cells: Cell[]; average: Cell | null }>;
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
    const given = leaderboardArguments(args);
    const variables = Object.fromEntries(given.map((a) => [a.name, a.value]));
    const uses = given.map((a) => `${a.name}: $${a.name}`);
    if (format === "table") {
      const defs = given.map((a) => `$${a.name}: ${a.type}`);
      const data = await ctx.client.request<{ leaderboard: Board }>(
        `query${defs.length ? `(${defs.join(", ")})` : ""} { leaderboard${uses.length ? `(${uses.join(", ")})` : ""} {
          std displayScale hasAverage columns { index label metric } baseline { label }
          rows { key label published runCount isBaseline cells { text best delta n nonStandard } average { text best delta n nonStandard } } } }`,
        variables,
      );
      if (flag(args, "json")) ctx.out(json(data.leaderboard));
      else if (!data.leaderboard.rows.length) ctx.info("no rows: nothing evaluated matches");
      else ctx.out(renderBoard(data.leaderboard, { wide: flag(args, "wide") }));
      return 0;
    }
    if (flag(args, "json")) throw new UsageError("--json goes with --format table");
    const defs = ["$format: LeaderboardExportFormat!", ...given.map((a) => `$${a.name}: ${a.type}`)];
    const data = await ctx.client.request<{ leaderboardExport: { content: string } }>(
      `query(${defs.join(", ")}) { leaderboardExport(${["format: $format", ...uses].join(", ")}) { content } }`,
      { ...variables, format: format.toUpperCase() },
    );
    const content = data.leaderboardExport.content;
    ctx.out(content.endsWith("\n") ? content.slice(0, -1) : content);
    return 0;
  },
};
