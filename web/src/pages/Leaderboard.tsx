// The paper's Tables 2 and 3, live: rows = configurations (training data, transfer method and
// the rest of the effective configuration, seeds aside), columns = benchmarks, mean±std over
// repeated runs, best per column bold, deltas to a baseline. Rows carry the API's short label;
// off-protocol values (e.g. 300 LFW pairs) are marked † and never bold.
import { Fragment, useEffect, useMemo, useState, type ChangeEvent, type MouseEvent } from "react";
import { downloadWithToken, getToken } from "../auth";
import { Field } from "../components/Field";
import { Empty, ErrorMessage, Loading } from "../components/States";
import { Tag } from "../components/StatusBadge";
import { humanize } from "../format";
import { useDebounced, useDocumentTitle, useQuery, useReconnect, useSubscription } from "../hooks";
import { request } from "../graphql";
import { navigate, useSearch } from "../router";
import { graphql } from "../generated/graphql";
import type { GroupRunsQueryVariables, LeaderboardQuery, LeaderboardQueryVariables } from "../generated/graphql/graphql";

/** Rows per page of the table (the bench times this page: bench/leaderboard.ts reads it). */
const PAGE_SIZE = 50;

const QUERY = graphql(`query Leaderboard($preset: LeaderboardPreset, $benchmarks: [String!], $metric: String, $groupBy: LeaderboardGroupBy,
  $filter: LeaderboardFilter, $baseline: LeaderboardRowSelector, $std: StdKind, $best: LeaderboardBest, $first: Int, $after: String) {
  leaderboard(preset: $preset, benchmarks: $benchmarks, metric: $metric, groupBy: $groupBy, filter: $filter,
    baseline: $baseline, std: $std, best: $best, first: $first, after: $after) {
    columns { index label metric direction benchmark { name protocol } }
    displayScale hasAverage std bestScope totalRows
    pageInfo { hasNextPage endCursor }
    baseline { key label }
    rows {
      key label published source requirement kind runCount configKey isBaseline group params nonStandard nonStandardNotes
      dataset { id name } baseDataset { name } transferMethod { id name }
      cells { column n mean std runStd text best delta stdFrom nonStandard }
      average { n mean std text best delta nonStandard }
    }
  }
}`);

const BENCHMARKS = graphql(`query LeaderboardBenchmarks { benchmarks { name protocol } }`);

const CHANGED = graphql(`subscription Changed($filter: LeaderboardFilter) { leaderboardChanged(filter: $filter) { reason runId group run { name } } }`);

type Row = LeaderboardQuery["leaderboard"]["rows"][number];
/** A column cell, or the average cell (which selects fewer fields). */
type Cell = NonNullable<Row["average"]> & Partial<Row["cells"][number]>;
type Column = LeaderboardQuery["leaderboard"]["columns"][number];

const TABLES = [
  { value: "table2", label: "Paper Table 2: verification accuracy", caption: "Verification accuracy (%) on LFW, CFP-FP, CPLFW, CALFW and AgeDB-30 (the paper's Table 2)", preset: "PAPER_TABLE_2" },
  { value: "table3", label: "Paper Table 3: IJB-C TAR at FMR", caption: "IJB-C 1:1 verification, TAR (%) at each FMR (the paper's Table 3)", preset: "PAPER_TABLE_3" },
  { value: "custom", label: "Custom benchmarks and metric", caption: "Custom columns", preset: null },
] as const;

const METRICS = ["accuracy", "tar@fmr=1e-6", "tar@fmr=1e-5", "tar@fmr=1e-4", "tar@fmr=1e-3", "tar@fmr=1e-2", "tar@fmr=1e-1"];
const REQUIREMENTS = [
  { value: "NONE", label: "No requirement" },
  { value: "IDENTITY_LABELS", label: "Identity labels" },
  { value: "PRETRAINED_FR", label: "Pre-trained FR model" },
];
const GROUPS = [
  { value: "dataset", label: "Training dataset" },
  { value: "transferMethod", label: "Transfer method" },
  { value: "params", label: "Configuration (all but seeds)" },
  { value: "group", label: "Run group" },
];
const DEFAULT_GROUPS = ["dataset", "transferMethod", "params"];

const SECTION_ORDER: Record<string, number> = { REAL: 0, NONE: 1, IDENTITY_LABELS: 2, PRETRAINED_FR: 3, MIXED: 4 };
const SECTION_LABEL: Record<string, string> = {
  REAL: "Real data",
  NONE: "SynGen requirement: none (No-Req)",
  IDENTITY_LABELS: "SynGen requirement: identity labels",
  PRETRAINED_FR: "SynGen requirement: pre-trained FR model",
  MIXED: "Mixed",
};

function sectionOf(row: Row): string {
  if (row.kind === "REAL") return "REAL";
  return row.requirement ?? (row.kind ? "NONE" : "MIXED");
}

const csv = (value: string | null) => (value ? value.split(",").filter(Boolean) : []);

/** Settings live in the URL so a view can be shared. */
function useSettings() {
  const [params, set] = useSearch();
  const table = (params.get("table") ?? "table2") as (typeof TABLES)[number]["value"];
  return {
    table: TABLES.some((t) => t.value === table) ? table : "table2",
    benchmarks: csv(params.get("benchmarks")),
    metric: params.get("metric") ?? "",
    groups: params.has("group") ? csv(params.get("group")) : DEFAULT_GROUPS,
    requirements: csv(params.get("req")),
    source: params.get("source") ?? "all",
    baseline: params.get("baseline") ?? "",
    best: params.get("best") ?? "default",
    std: params.get("std") ?? "population",
    set,
  };
}
type Settings = ReturnType<typeof useSettings>;

function variablesOf(s: Settings): LeaderboardQueryVariables {
  const v: LeaderboardQueryVariables = {};
  const table = TABLES.find((t) => t.value === s.table)!;
  if (table.preset) v.preset = table.preset;
  else {
    if (s.benchmarks.length) v.benchmarks = s.benchmarks;
    if (s.metric) v.metric = s.metric;
  }
  const sameGroups = s.groups.length === DEFAULT_GROUPS.length && DEFAULT_GROUPS.every((g) => s.groups.includes(g));
  if (!sameGroups) {
    v.groupBy = {
      dataset: s.groups.includes("dataset"),
      transferMethod: s.groups.includes("transferMethod"),
      params: s.groups.includes("params") ? null : [],
      group: s.groups.includes("group"),
    };
  }
  const filter: Record<string, unknown> = {};
  if (s.requirements.length) filter.requirement = s.requirements;
  if (s.source !== "all") filter.published = s.source === "published";
  if (Object.keys(filter).length) v.filter = filter;
  if (s.baseline) v.baseline = { key: s.baseline };
  if (s.best === "per-requirement") v.best = { scope: "PER_REQUIREMENT" };
  if (s.best === "all") v.best = { scope: "ALL" };
  if (s.std === "sample") v.std = "SAMPLE";
  return v;
}

const GROUP_RUNS = graphql(`query GroupRuns($configKey: String!, $source: String, $group: String, $first: Int, $offset: Int) {
  compareRunGroup(configKey: $configKey, source: $source, group: $group, first: $first, offset: $offset) { totalCount runIds }
}`);

/** Runs per comparison (compareRuns and compareRunGroup compare at most 50). */
const COMPARE_PAGE = 50;
/** Range choices listed for a large row (the last ones are reached by paging from the run page's comparison). */
const MAX_COMPARE_RANGES = 200;

/**
 * A row's runs, fetched on demand (the table never loads every run id): opens the first
 * run compared with the next ones, 50 at a time; a row of more than 50 runs offers each
 * range of 50 (compareRunGroup pages them).
 */
function RowRunsLink({ configKey, source, group, runCount }: { configKey: string; source: string | null; group: string | null | undefined; runCount: number }) {
  const [error, setError] = useState<string | null>(null);
  const open = async (offset: number) => {
    try {
      const variables: GroupRunsQueryVariables = { configKey, source, first: COMPARE_PAGE, offset };
      if (group !== undefined) variables.group = group;
      const data = await request(GROUP_RUNS, variables);
      const [first, ...rest] = data.compareRunGroup.runIds;
      if (first) navigate(`/runs/${first}${rest.length ? `?compare=${rest.join(",")}` : ""}`);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const ranges = Math.min(Math.ceil(runCount / COMPARE_PAGE), MAX_COMPARE_RANGES);
  return (
    <>
      <a href="#" onClick={(e) => { e.preventDefault(); void open(0); }} className="row-link" title={runCount > COMPARE_PAGE ? `compares runs 1–${COMPARE_PAGE} of ${runCount}` : `compares its ${runCount} runs`}>
        runs
      </a>
      {ranges > 1 && (
        <select className="row-link" aria-label={`Compare runs of ${runCount}`} value=""
          onChange={(e: ChangeEvent<HTMLSelectElement>) => { if (e.target.value) void open(Number(e.target.value)); }}>
          <option value="">compare…</option>
          {Array.from({ length: ranges }, (_, i) => (
            <option key={i} value={i * COMPARE_PAGE}>{`runs ${i * COMPARE_PAGE + 1}–${Math.min((i + 1) * COMPARE_PAGE, runCount)}`}</option>
          ))}
        </select>
      )}
      {error && <span className="error-text" role="alert">{error}</span>}
    </>
  );
}

/** The same table from the HTTP export routes (src/server/leaderboard-routes.ts). */
function exportHref(s: Settings, extension: "csv" | "md" | "tex"): string {
  const q = new URLSearchParams();
  if (s.table !== "custom") q.set("preset", s.table);
  else {
    if (s.benchmarks.length) q.set("benchmarks", s.benchmarks.join(","));
    if (s.metric) q.set("metric", s.metric);
  }
  const sameGroups = s.groups.length === DEFAULT_GROUPS.length && DEFAULT_GROUPS.every((g) => s.groups.includes(g));
  if (!sameGroups) q.set("groupBy", s.groups.length ? s.groups.join(",") : "none");
  if (s.requirements.length) q.set("requirement", s.requirements.join(","));
  if (s.source !== "all") q.set("published", String(s.source === "published"));
  if (s.baseline) q.set("baseline", s.baseline);
  if (s.best !== "default") q.set("best", s.best);
  if (s.std === "sample") q.set("std", "sample");
  const query = q.toString();
  return `/leaderboard.${extension}${query ? `?${query}` : ""}`;
}

function toggle(list: string[], value: string, on: boolean): string[] {
  return on ? [...new Set([...list, value])] : list.filter((v) => v !== value);
}

const shorten = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The configuration behind a row, one `key = value` per line (the row head's tooltip). */
function configTooltip(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k} = ${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join("\n");
}

/** † beside an off-protocol value; its title and accessible name say what was off. */
function NonStandardMark({ what }: { what: string }) {
  return <span className="non-standard-mark" title={what} aria-label={`non-standard: ${what}`}>†</span>;
}

function DeltaText({ delta, scale, direction }: { delta: number | null; scale: number; direction: Column["direction"] }) {
  if (delta == null) return null;
  const value = delta * scale;
  const good = direction === "HIGHER_IS_BETTER" ? value > 0 : value < 0;
  const tone = Math.abs(value) < 0.005 ? "delta-zero" : good ? "delta-good" : "delta-bad";
  return <span className={`delta ${tone}`}>{`${value >= 0 ? "+" : "−"}${Math.abs(value).toFixed(2)}`}</span>;
}

function CellView({ cell, scale, direction, isBaseline, notes }: { cell: Cell | null; scale: number; direction: Column["direction"]; isBaseline: boolean; notes: string[] }) {
  if (!cell || cell.n === 0 || cell.text == null) return <span className="muted" aria-label="no value">—</span>;
  const [mean, std] = cell.text.split("±");
  const title = `n = ${cell.n} run${cell.n === 1 ? "" : "s"}${cell.runStd != null ? `; mean per-run std ${(cell.runStd * scale).toFixed(2)}` : ""}${cell.best ? "; best in column" : ""}${cell.nonStandard ? "; off the benchmark's protocol, not compared for best" : ""}`;
  return (
    <span className={`cell${cell.best ? " best" : ""}${cell.nonStandard ? " non-standard" : ""}`} title={title}>
      {cell.best ? (
        <strong className="cell-mean">{mean}</strong>
      ) : (
        <span className="cell-mean">
          {mean}
          {cell.nonStandard && <NonStandardMark what={notes.join("; ") || "off the benchmark's protocol"} />}
        </span>
      )}
      {std != null && <span className="cell-std">±{std}</span>}
      {!isBaseline && <DeltaText delta={cell.delta} scale={scale} direction={direction} />}
    </span>
  );
}

export function LeaderboardPage() {
  useDocumentTitle("Leaderboard");
  const settings = useSettings();
  // Row pages: the cursors of the pages before this one (the first page has none).
  const [cursors, setCursors] = useState<string[]>([]);
  const baseVariables = variablesOf(settings);
  const settingsKey = JSON.stringify(baseVariables);
  useEffect(() => setCursors([]), [settingsKey]);
  const after = cursors.at(-1);
  const board = useQuery(QUERY, { ...baseVariables, first: PAGE_SIZE, ...(after ? { after } : {}) });
  const benchmarks = useQuery(BENCHMARKS);
  const [lastChange, setLastChange] = useState<string | null>(null);
  const refetch = useDebounced(board.refetch, 300);
  useSubscription(CHANGED, {}, (event) => {
    const run = event.leaderboardChanged;
    setLastChange(`Updated ${new Date().toLocaleTimeString("en-GB")}: run ${run.run?.name ?? run.runId.slice(0, 8)} finished`);
    refetch();
  });
  useReconnect(board.refetch);

  const data = board.data?.leaderboard;
  const sections = useMemo(() => {
    if (!data) return [];
    const groups = new Map<string, Row[]>();
    for (const row of data.rows) {
      const key = sectionOf(row);
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    return [...groups.entries()].sort((a, b) => (SECTION_ORDER[a[0]] ?? 9) - (SECTION_ORDER[b[0]] ?? 9));
  }, [data]);
  const { set } = settings;
  const [exportError, setExportError] = useState<string | null>(null);
  // Links cannot send the API token; with one set, download through fetch.
  const exportClick = (e: MouseEvent<HTMLAnchorElement>, ext: "csv" | "md" | "tex") => {
    setExportError(null);
    if (!getToken()) return;
    e.preventDefault();
    downloadWithToken(exportHref(settings, ext), `leaderboard.${ext}`).catch((error: Error) => setExportError(error.message));
  };

  return (
    <section aria-labelledby="leaderboard-title">
      <div className="page-header">
        <h1 id="leaderboard-title">Leaderboard</h1>
        <div className="actions" role="group" aria-label="Export">
          <span className="muted">Export:</span>
          {(["csv", "md", "tex"] as const).map((ext) => (
            <a key={ext} className="button" href={exportHref(settings, ext)} download={`leaderboard.${ext}`} onClick={(e) => exportClick(e, ext)}>
              {{ csv: "CSV", md: "Markdown", tex: "LaTeX" }[ext]}
            </a>
          ))}
          {exportError && <small className="field-error" role="alert">{exportError}</small>}
        </div>
      </div>

      <form className="controls" onSubmit={(e) => e.preventDefault()} aria-label="Leaderboard settings">
        <Field label="Table">
          {(p) => (
            <select {...p} value={settings.table} onChange={(e) => set({ table: e.target.value === "table2" ? null : e.target.value, baseline: null })}>
              {TABLES.map((t) => <option key={t.value} value={t.value}>{t.label}</option>)}
            </select>
          )}
        </Field>
        {settings.table === "custom" && (
          <>
            <fieldset className="checks">
              <legend>Benchmarks</legend>
              {benchmarks.loading && <Loading what="Loading benchmarks" />}
              {benchmarks.data?.benchmarks.map((b) => (
                <label key={b.name}>
                  <input type="checkbox" checked={settings.benchmarks.includes(b.name)}
                    onChange={(e) => set({ benchmarks: toggle(settings.benchmarks, b.name, e.target.checked).join(",") })} />
                  {b.name}
                </label>
              ))}
            </fieldset>
            <Field label="Metric" hint="Default: accuracy (10-fold), tar@fmr=1e-4 (IJB-C)">
              {(p) => (
                <>
                  <input {...p} list="metric-names" value={settings.metric} placeholder="accuracy" onChange={(e) => set({ metric: e.target.value })} />
                  <datalist id="metric-names">{METRICS.map((m) => <option key={m} value={m} />)}</datalist>
                </>
              )}
            </Field>
          </>
        )}
        <fieldset className="checks">
          <legend>Group rows by</legend>
          {GROUPS.map((g) => (
            <label key={g.value}>
              <input type="checkbox" checked={settings.groups.includes(g.value)}
                onChange={(e) => set({ group: toggle(settings.groups, g.value, e.target.checked).join(","), baseline: null })} />
              {g.label}
            </label>
          ))}
        </fieldset>
        <fieldset className="checks">
          <legend>Requirement (SynGen req.)</legend>
          {REQUIREMENTS.map((r) => (
            <label key={r.value}>
              <input type="checkbox" checked={settings.requirements.includes(r.value)}
                onChange={(e) => set({ req: toggle(settings.requirements, r.value, e.target.checked).join(",") })} />
              {r.label}
            </label>
          ))}
        </fieldset>
        <Field label="Results">
          {(p) => (
            <select {...p} value={settings.source} onChange={(e) => set({ source: e.target.value === "all" ? null : e.target.value })}>
              <option value="all">Published and own runs</option>
              <option value="published">Published (paper) only</option>
              <option value="own">Own runs only</option>
            </select>
          )}
        </Field>
        <Field label="Baseline (deltas)">
          {(p) => (
            <select {...p} value={settings.baseline} onChange={(e) => set({ baseline: e.target.value })}>
              <option value="">No baseline</option>
              {data?.rows.map((r) => <option key={r.key} value={r.key}>{r.label}</option>)}
              {/* The baseline stays selectable while another page of rows is shown. */}
              {data?.baseline && !data.rows.some((r) => r.key === data.baseline!.key) && (
                <option value={data.baseline.key}>{data.baseline.label}</option>
              )}
            </select>
          )}
        </Field>
        <Field label="Best marked">
          {(p) => (
            <select {...p} value={settings.best} onChange={(e) => set({ best: e.target.value === "default" ? null : e.target.value })}>
              <option value="default">As the table defines</option>
              <option value="all">One per column</option>
              <option value="per-requirement">One per requirement class</option>
            </select>
          )}
        </Field>
        <Field label="Std over runs">
          {(p) => (
            <select {...p} value={settings.std} onChange={(e) => set({ std: e.target.value === "population" ? null : e.target.value })}>
              <option value="population">Population (ddof=0)</option>
              <option value="sample">Sample (ddof=1)</option>
            </select>
          )}
        </Field>
      </form>

      <p className="live-note" aria-live="polite">
        {lastChange ?? "Updates live when an evaluation run finishes."} {board.refreshing && <span className="muted">refreshing…</span>}
      </p>

      {board.loading && <Loading what="Loading the leaderboard" />}
      {board.error && <ErrorMessage error={board.error} retry={board.refetch} title="The leaderboard could not be loaded" />}
      {data && data.rows.length === 0 && (
        <Empty title="No rows match these settings">
          <p>Clear the filters, or evaluate a model: its SUCCEEDED EVALUATE runs appear here.</p>
        </Empty>
      )}
      {data && data.rows.length > 0 && (
        <div className="table-scroll">
          <table className="leaderboard">
            <caption>
              {TABLES.find((t) => t.value === settings.table)!.caption}. Values ×{data.displayScale}, mean±std over runs ({humanize(data.std)} std).
              {" "}<strong>Bold</strong>: best per column{data.bestScope === "PER_REQUIREMENT" ? " within each requirement class" : ""}.
              {data.baseline && <> Deltas against <em>{data.baseline.label}</em>.</>}
              {data.rows.some((r) => r.nonStandard) && <> †: evaluated off the benchmark's protocol (e.g. fewer pairs), never marked best.</>}
            </caption>
            <thead>
              <tr>
                <th scope="col">Training data</th>
                <th scope="col">Transfer method</th>
                <th scope="col">Source</th>
                {data.columns.map((c) => (
                  <th scope="col" key={c.index} className="num" title={`${c.benchmark.name} ${c.metric} (${c.direction === "HIGHER_IS_BETTER" ? "higher" : "lower"} is better)`}>
                    {settings.table === "table3" ? `FMR ${c.label}` : c.label}
                  </th>
                ))}
                {data.hasAverage && <th scope="col" className="num">Avg</th>}
              </tr>
            </thead>
            <tbody>
              {sections.map(([section, rows]) => (
                <Fragment key={section}>
                  <tr className="section-row">
                    <th scope="rowgroup" colSpan={3 + data.columns.length + (data.hasAverage ? 1 : 0)}>{SECTION_LABEL[section] ?? section}</th>
                  </tr>
                  {rows.map((row) => (
                    <tr key={row.key} className={`${row.isBaseline ? "baseline-row " : ""}${row.published ? "published-row" : "own-row"}`} data-row-key={row.key}>
                      <th scope="row" className="row-head" title={row.params && !row.published ? configTooltip(row.params as Record<string, unknown>) : row.label}>
                        <span className="row-label">{shorten(row.label.replace(/ \(published\)$/, ""), 120)}</span>
                        {!row.published && row.dataset && row.baseDataset && (
                          <div className="row-params muted">trained on {row.dataset.name}</div>
                        )}
                        {row.nonStandard && (
                          <div>
                            <Tag tone="warn" title={row.nonStandardNotes.join("; ")}>non-standard</Tag>{" "}
                            <span className="row-params muted">{row.nonStandardNotes.join("; ")}</span>
                          </div>
                        )}
                      </th>
                      <td>{row.transferMethod?.name ?? <span className="muted">—</span>}</td>
                      <td>
                        {row.published ? (
                          <Tag tone="paper" title={row.source ?? "published result"}>paper</Tag>
                        ) : (
                          <Tag tone="own" title={`${row.runCount} runs of one configuration (seeds aside)`}>
                            {`own · n=${row.runCount}`}
                          </Tag>
                        )}
                        {row.isBaseline && <Tag tone="info">baseline</Tag>}
                        {!row.published && row.configKey && (
                          <RowRunsLink configKey={row.configKey} source={row.source} group={settings.groups.includes("group") ? row.group : undefined} runCount={row.runCount} />
                        )}
                      </td>
                      {data.columns.map((c) => (
                        <td key={c.index} className="num">
                          <CellView cell={row.cells[c.index] ?? null} scale={data.displayScale} direction={c.direction} isBaseline={row.isBaseline} notes={row.nonStandardNotes} />
                        </td>
                      ))}
                      {data.hasAverage && (
                        <td className="num avg">
                          <CellView cell={row.average} scale={data.displayScale} direction={data.columns[0]?.direction ?? "HIGHER_IS_BETTER"} isBaseline={row.isBaseline} notes={row.nonStandardNotes} />
                        </td>
                      )}
                    </tr>
                  ))}
                </Fragment>
              ))}
            </tbody>
          </table>
          <div className="pager" role="navigation" aria-label="Leaderboard pages">
            <button type="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>Previous</button>
            <span className="muted" aria-live="polite">
              {`rows ${cursors.length * PAGE_SIZE + 1}–${cursors.length * PAGE_SIZE + data.rows.length} of ${data.totalRows}`}
            </span>
            <button type="button" disabled={!data.pageInfo.hasNextPage || !data.pageInfo.endCursor}
              onClick={() => data.pageInfo.endCursor && setCursors([...cursors, data.pageInfo.endCursor])}>Next</button>
          </div>
        </div>
      )}
    </section>
  );
}
