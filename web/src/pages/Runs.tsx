import { useState } from "react";
import { Field } from "../components/Field";
import { CancelButton, LiveProgress } from "../components/LiveProgress";
import { Empty, ErrorMessage, Loading } from "../components/States";
import { StatusBadge, Tag } from "../components/StatusBadge";
import { formatRelative, humanize, shortId } from "../format";
import { useDebounced, useDocumentTitle, useNow, useQuery, useReconnect, useSubscription } from "../hooks";
import { Link, useSearch } from "../router";

export const RUN_FIELDS = `id kind status name group seed published source createdAt startedAt finishedAt error device worker
  dataset { id name } transferMethod { id name } faceModel { id name }
  progress { done total phase rate etaSeconds fraction }`;

const QUERY = `query Runs($filter: RunFilter, $first: Int) {
  runs(filter: $filter, first: $first) { totalCount pageInfo { hasNextPage endCursor } nodes { ${RUN_FIELDS} } }
}`;

const UPDATED = `subscription Updated($filter: RunUpdatedFilter) { runUpdated(filter: $filter) { id status } }`;

export interface RunSummary {
  id: string; kind: string; status: string; name: string | null; group: string | null; seed: number | null;
  published: boolean; source: string | null; createdAt: string; startedAt: string | null; finishedAt: string | null;
  error: string | null; device: string | null; worker: string | null;
  dataset: { id: string; name: string } | null; transferMethod: { id: string; name: string } | null; faceModel: { id: string; name: string } | null;
  progress: { done: number | null; total: number | null; phase: string | null; rate: number | null; etaSeconds: number | null; fraction: number | null };
}

const KINDS = ["TRANSFER", "TRAIN", "EVALUATE"];
const STATUSES = ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"];
const PAGE = 50;

export function runTitle(run: Pick<RunSummary, "id" | "name" | "kind">): string {
  return run.name ?? `${humanize(run.kind)} run ${shortId(run.id)}`;
}

export function RunsTable({ runs, onChanged, caption }: { runs: RunSummary[]; onChanged: () => void; caption?: string }) {
  const now = useNow(10_000);
  const onStale = useDebounced(onChanged, 500);
  return (
    <div className="table-scroll">
      <table className="runs">
        {caption && <caption>{caption}</caption>}
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Kind</th>
            <th scope="col">Status</th>
            <th scope="col">Inputs</th>
            <th scope="col" className="progress-col">Progress</th>
            <th scope="col">Created</th>
            <th scope="col"><span className="visually-hidden">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id} data-run-id={run.id}>
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

export function RunsPage() {
  useDocumentTitle("Runs");
  const [params, set] = useSearch();
  const kind = params.get("kind") ?? "";
  const statuses = (params.get("status") ?? "").split(",").filter(Boolean);
  const group = params.get("group") ?? "";
  const source = params.get("source") ?? "own";
  const [groupDraft, setGroupDraft] = useState(group);
  const [limit, setLimit] = useState(PAGE);

  const filter: Record<string, unknown> = {};
  if (kind) filter.kind = kind;
  if (statuses.length) filter.status = statuses;
  if (group) filter.group = group;
  if (source !== "all") filter.published = source === "published";
  const runs = useQuery<{ runs: { totalCount: number; pageInfo: { hasNextPage: boolean }; nodes: RunSummary[] } }>(QUERY, { filter, first: limit });

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
          <Link to="/launch" className="button primary">Launch a run</Link>
        </div>
      </div>
      <form className="controls" aria-label="Run filters" onSubmit={(e) => { e.preventDefault(); set({ group: groupDraft.trim() }); }}>
        <Field label="Kind">
          {(p) => (
            <select {...p} value={kind} onChange={(e) => set({ kind: e.target.value })}>
              <option value="">All kinds</option>
              {KINDS.map((k) => <option key={k} value={k}>{humanize(k)}</option>)}
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

      {runs.loading && <Loading what="Loading runs" />}
      {runs.error && <ErrorMessage error={runs.error} retry={runs.refetch} title="Runs could not be loaded" />}
      {runs.data && runs.data.runs.nodes.length === 0 && (
        <Empty title="No runs match">
          <p>
            {Object.keys(filter).length > 1 || kind || group || statuses.length ? "Change the filters, or " : ""}
            <Link to="/launch">launch a transfer or an evaluation</Link>.
          </p>
        </Empty>
      )}
      {runs.data && runs.data.runs.nodes.length > 0 && (
        <>
          <RunsTable runs={runs.data.runs.nodes} onChanged={runs.refetch} caption={`${runs.data.runs.totalCount} run${runs.data.runs.totalCount === 1 ? "" : "s"}, newest first`} />
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
