import { useState } from "react";
import { Field } from "../components/Field";
import { ColumnChooser, ParallelView, ThresholdChooser } from "../components/RunColumns";
import { CancelButton, LiveProgress } from "../components/LiveProgress";
import { Empty, ErrorMessage, Loading } from "../components/States";
import { StatusBadge, Tag } from "../components/StatusBadge";
import { formatRelative, humanize, shortId } from "../format";
import { useDebounced, useDocumentTitle, useNow, useQuery, useReconnect, useSubscription } from "../hooks";
import { Link, navigate, useSearch } from "../router";
import { graphql } from "../generated/graphql";
import { RunStatus, type RunSummaryFragment } from "../generated/graphql/graphql";
import {
  cellText, columnId, columnLabel, columnSelection, columnsParam, filterOf, orderByOf, parseColumns, parseSort, parseThresholds, thresholdsParam,
  type Column,
} from "../runs-table-state";

export const RunSummaryFields = graphql(`fragment RunSummary on Run {
  id kind status name group seed published source createdAt startedAt finishedAt error device worker
  dataset { id name } transferMethod { id name } faceModel { id name }
  progress { done total phase rate etaSeconds fraction }
}`);

// The one document assembled at run time: the chosen metric and config columns are
// aliased fields (runs-table-state.ts), so its rows are RunSummary plus those values.
const queryOf = (columns: Column[]) => `query Runs($filter: RunFilter, $orderBy: RunOrder, $first: Int) {
  runs(filter: $filter, orderBy: $orderBy, first: $first) { totalCount pageInfo { hasNextPage endCursor } nodes { ...RunSummary ${columnSelection(columns)} } }
}
${RunSummaryFields}`;

const UPDATED = graphql(`subscription RunsUpdated($filter: RunUpdatedFilter) { runUpdated(filter: $filter) { id status } }`);

export type RunSummary = RunSummaryFragment;

/** The run kinds come from the server's registry (src/kinds/registry.ts), so a new kind shows up here without a dashboard change. */
const RUN_KINDS = graphql(`query RunKinds { runKinds { name label description } }`);
// The schema's enum (generated), not a copy kept by hand.
const STATUSES = Object.values(RunStatus);
const PAGE = 50;

export function runTitle(run: Pick<RunSummary, "id" | "name" | "kind">): string {
  return run.name ?? `${humanize(run.kind)} run ${shortId(run.id)}`;
}

/** The chosen columns of the runs table: what they are, how the table is sorted, and which runs are selected. */
export interface TableColumns {
  columns: Column[];
  sort: Column | "created" | "updated";
  direction: "asc" | "desc";
  onSort: (sort: Column | "created", direction: "asc" | "desc") => void;
  selected: Set<string>;
  onSelect: (id: string, on: boolean) => void;
}

function SortHeader({ label, column, table }: { label: string; column: Column | "created"; table: TableColumns }) {
  const id = column === "created" ? "created" : columnId(column);
  const active = (table.sort === "created" ? "created" : table.sort === "updated" ? "updated" : columnId(table.sort)) === id;
  const next = active && table.direction === "desc" ? "asc" : "desc";
  return (
    <th scope="col" aria-sort={active ? (table.direction === "asc" ? "ascending" : "descending") : "none"} className={column !== "created" && column.type === "metric" ? "num" : undefined}>
      <button type="button" className="sort-header" onClick={() => table.onSort(column, next)} title={`Sort by ${label}, ${next === "asc" ? "ascending" : "descending"}`}>
        {label} {active ? (table.direction === "asc" ? "▲" : "▼") : ""}
      </button>
    </th>
  );
}

export function RunsTable({ runs, onChanged, caption, table }: { runs: (RunSummary & Record<string, unknown>)[]; onChanged: () => void; caption?: string; table?: TableColumns }) {
  const now = useNow(10_000);
  const onStale = useDebounced(onChanged, 500);
  return (
    <div className="table-scroll">
      <table className="runs">
        {caption && <caption>{caption}</caption>}
        <thead>
          <tr>
            {table && <th scope="col"><span className="visually-hidden">Select</span></th>}
            <th scope="col">Run</th>
            <th scope="col">Kind</th>
            <th scope="col">Status</th>
            <th scope="col">Inputs</th>
            <th scope="col" className="progress-col">Progress</th>
            {table?.columns.map((c) => <SortHeader key={columnId(c)} label={columnLabel(c)} column={c} table={table} />)}
            {table ? <SortHeader label="Created" column="created" table={table} /> : <th scope="col">Created</th>}
            <th scope="col"><span className="visually-hidden">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id} data-run-id={run.id}>
              {table && (
                <td>
                  <input type="checkbox" aria-label={`Select ${runTitle(run)}`} checked={table.selected.has(run.id)} onChange={(e) => table.onSelect(run.id, e.target.checked)} />
                </td>
              )}
              <th scope="row">
                <Link to={`/runs/${run.id}`}>{runTitle(run)}</Link>
                <div className="muted small">
                  {shortId(run.id)}
                  {run.group && <> · group {run.group}</>}
                  {run.seed != null && <> · seed {run.seed}</>}
                </div>
              </th>
              <td>{humanize(run.kind)}</td>
              <td>
                <StatusBadge status={run.status} />
                {run.published && <Tag tone="paper" title={run.source ?? undefined}>paper</Tag>}
              </td>
              <td className="small">
                {run.dataset && <div>Data: {run.dataset.name}</div>}
                {run.transferMethod && <div>Method: {run.transferMethod.name}</div>}
                {run.faceModel && <div>Model: {run.faceModel.name}</div>}
              </td>
              <td className="progress-col">
                {run.published ? <span className="muted">—</span> : <LiveProgress runId={run.id} status={run.status} progress={run.progress} label={`Progress of ${runTitle(run)}`} onStale={onStale} />}
                {run.status === "FAILED" && run.error && <div className="error-text small" title={run.error}>{run.error.slice(0, 120)}</div>}
              </td>
              {table?.columns.map((c, i) => (
                <td key={columnId(c)} className={c.type === "metric" ? "num" : "small"} data-column={columnId(c)}>{cellText(run[`c${i}`])}</td>
              ))}
              <td className="small" title={run.createdAt}>{formatRelative(run.createdAt, now)}</td>
              <td>
                <CancelButton runId={run.id} status={run.status} onCancelled={onChanged} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function sortCaption(sort: Column | "created" | "updated", direction: "asc" | "desc"): string {
  if (sort === "created" || sort === "updated") return direction === "desc" ? `newest first` : `oldest first`;
  return `by ${columnLabel(sort)}, ${direction === "desc" ? "highest" : "lowest"} first`;
}

function viewSearch(params: URLSearchParams, view: "table" | "parallel"): string {
  const next = new URLSearchParams(params);
  if (view === "table") next.delete("view");
  else next.set("view", view);
  const text = next.toString();
  return text ? `?${text}` : "";
}

export function RunsPage() {
  useDocumentTitle("Runs");
  const [params, set] = useSearch();
  const kind = params.get("kind") ?? "";
  const statuses = (params.get("status") ?? "").split(",").filter(Boolean);
  const group = params.get("group") ?? "";
  const source = params.get("source") ?? "own";
  const [groupDraft, setGroupDraft] = useState(group);
  const [limit, setLimit] = useState(PAGE);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const columns = parseColumns(params.get("cols"));
  const sort = parseSort(params.get("sort"));
  const direction = params.get("dir") === "asc" ? "asc" : "desc";
  const has = (params.get("has") ?? "").split(",").filter(Boolean);
  const thresholds = parseThresholds(params.get("mf"));
  const view = params.get("view") === "parallel" ? "parallel" : "table";

  const kinds = useQuery(RUN_KINDS);
  const filter: Record<string, unknown> = filterOf(has, thresholds);
  if (kind) filter.kind = kind;
  if (statuses.length) filter.status = statuses;
  if (group) filter.group = group;
  if (source !== "all") filter.published = source === "published";
  const runs = useQuery<{ runs: { totalCount: number; pageInfo: { hasNextPage: boolean }; nodes: (RunSummary & Record<string, unknown>)[] } }>(
    queryOf(columns), { filter, orderBy: orderByOf(sort, direction), first: limit }, { skip: view === "parallel" },
  );
  const table: TableColumns = {
    columns,
    sort,
    direction,
    onSort: (next, dir) => set({ sort: next === "created" ? null : columnId(next), dir: dir === "desc" ? null : dir }),
    selected,
    onSelect: (id, on) => setSelected((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    }),
  };
  // The comparison view: the first selected run's page with the others overlaid.
  const compare = () => {
    const [first, ...rest] = [...selected];
    navigate(`/runs/${first}${rest.length ? `?compare=${rest.join(",")}` : ""}`);
  };

  // Status changes (new runs, finished runs) refetch the list; progress comes per row.
  const refetch = useDebounced(runs.refetch, 250);
  const liveFilter: Record<string, unknown> = {};
  if (kind) liveFilter.kind = kind;
  if (group) liveFilter.group = group;
  useSubscription(UPDATED, { filter: liveFilter }, refetch, { skip: source === "published" });
  useReconnect(runs.refetch);

  const setStatus = (status: string, on: boolean) => {
    const next = on ? [...statuses, status] : statuses.filter((s) => s !== status);
    set({ status: next.join(",") });
  };

  return (
    <section aria-labelledby="runs-title">
      <div className="page-header">
        <h1 id="runs-title">Runs</h1>
        <div className="actions">
          <nav aria-label="Runs view" className="inline">
            <Link to={`/runs${viewSearch(params, "table")}`} aria-current={view === "table" ? "page" : undefined} className="button">Table</Link>
            <Link to={`/runs${viewSearch(params, "parallel")}`} aria-current={view === "parallel" ? "page" : undefined} className="button">Parallel coordinates</Link>
          </nav>
          <Link to="/launch" className="button primary">Launch a run</Link>
        </div>
      </div>
      <form className="controls" aria-label="Run filters" onSubmit={(e) => { e.preventDefault(); set({ group: groupDraft.trim() }); }}>
        <Field label="Kind">
          {(p) => (
            <select {...p} value={kind} onChange={(e) => set({ kind: e.target.value })}>
              <option value="">All kinds</option>
              {(kinds.data?.runKinds ?? []).map((k) => <option key={k.name} value={k.name} title={k.description}>{k.label}</option>)}
              {kind && !kinds.data?.runKinds.some((k) => k.name === kind) && <option value={kind}>{humanize(kind)}</option>}
            </select>
          )}
        </Field>
        <fieldset className="checks">
          <legend>Status</legend>
          {STATUSES.map((s) => (
            <label key={s}>
              <input type="checkbox" checked={statuses.includes(s)} onChange={(e) => setStatus(s, e.target.checked)} />
              {humanize(s)}
            </label>
          ))}
        </fieldset>
        <Field label="Group">
          {(p) => (
            <span className="inline">
              <input {...p} value={groupDraft} placeholder="any group" onChange={(e) => setGroupDraft(e.target.value)} />
              <button type="submit">Apply</button>
            </span>
          )}
        </Field>
        <Field label="Runs">
          {(p) => (
            <select {...p} value={source} onChange={(e) => set({ source: e.target.value === "own" ? null : e.target.value })}>
              <option value="own">Tracked here</option>
              <option value="published">Published results</option>
              <option value="all">All</option>
            </select>
          )}
        </Field>
      </form>
      <ColumnChooser columns={columns} onChange={(next) => set({ cols: columnsParam(next) })} />
      <ThresholdChooser
        has={has}
        thresholds={thresholds}
        onChange={(nextHas, nextThresholds) => set({ has: nextHas.join(","), mf: thresholdsParam(nextThresholds) })}
      />
      {view === "parallel" && <ParallelView filter={filter} params={params} set={set} />}
      {view === "table" && (
        <p className="actions">
          <button type="button" className="primary" disabled={selected.size < 2} onClick={compare}>
            Compare {selected.size ? `${selected.size} runs` : ""}
          </button>
          {selected.size > 0 && <button type="button" onClick={() => setSelected(new Set())}>Clear selection</button>}
        </p>
      )}

      {view === "table" && runs.loading && <Loading what="Loading runs" />}
      {view === "table" && runs.error && <ErrorMessage error={runs.error} retry={runs.refetch} title="Runs could not be loaded" />}
      {view === "table" && runs.data && runs.data.runs.nodes.length === 0 && (
        <Empty title="No runs match">
          <p>
            {Object.keys(filter).length > 1 || kind || group || statuses.length ? "Change the filters, or " : ""}
            <Link to="/launch">launch a transfer or an evaluation</Link>.
          </p>
        </Empty>
      )}
      {view === "table" && runs.data && runs.data.runs.nodes.length > 0 && (
        <>
          <RunsTable runs={runs.data.runs.nodes} onChanged={runs.refetch} table={table} caption={`${runs.data.runs.totalCount} run${runs.data.runs.totalCount === 1 ? "" : "s"}, ${sortCaption(sort, direction)}`} />
          {runs.data.runs.pageInfo.hasNextPage && (
            <button type="button" onClick={() => setLimit((l) => l + PAGE)}>
              Show {PAGE} more
            </button>
          )}
        </>
      )}
    </section>
  );
}
