import { useMemo, useState } from "react";
import { useCapabilities } from "../capabilities";
import { Field } from "../components/Field";
import { LineChart, type ChartSeries } from "../components/LineChart";
import { TrainingCurves } from "../components/TrainingCurves";
import { FailureCause, LogTail } from "../components/LogTail";
import { CancelButton, LiveProgress } from "../components/LiveProgress";
import { Empty, ErrorMessage, Loading } from "../components/States";
import { StatusBadge, Tag } from "../components/StatusBadge";
import { flatten, formatDate, formatDuration, formatNumber, formatRelative, formatValue, humanize, isActive, secondsBetween, shortId } from "../format";
import { useDebounced, useDocumentTitle, useNow, useQuery, useReconnect, useSubscription } from "../hooks";
import { Link, useSearch } from "../router";
import { runTitle } from "./Runs";
import { graphql } from "../generated/graphql";
import type { RunQuery } from "../generated/graphql/graphql";

const QUERY = graphql(`query Run($id: ID!) {
  run(id: $id) {
    ...RunSummary params config details heartbeatAt updatedAt executor executorJobId executorNode executorReason resources
    metrics { id name value std step benchmark { name } }
    curves { id kind benchmark { name } points }
    lineage {
      inputDataset { id name }
      datasetChain { id name kind transferMethod { id name } }
      transferMethod { id name }
      faceModel { id name backbone head }
      outputDataset { id name kind imageCount identityCount }
      outputFaceModel { id name }
    }
  }
}`);

const UPDATED = graphql(`subscription RunDetailUpdated($id: ID!) { runUpdated(filter: { runId: $id }) { id status } }`);
const METRIC_LOGGED = graphql(`subscription RunDetailMetricLogged($id: ID!) { metricLogged(runId: $id) { runId count names } }`);
const COMPARABLE = graphql(`query Comparable($kind: RunKind) { runs(filter: { kind: $kind, published: false, status: [SUCCEEDED] }, first: 100) { nodes { id name kind } } }`);
const COMPARE_METRICS = graphql(`query CompareMetrics($ids: [ID!]!) {
  compareRuns(ids: $ids) { runs { id name kind } metrics { benchmark { name } name differs values { runId value std step } } }
}`);
const COMPARE = graphql(`query Compare($ids: [ID!]!, $benchmark: String!) {
  compareRuns(ids: $ids) {
    curves(benchmark: $benchmark, kind: "ROC") { run { id name kind } curve { points } }
  }
}`);

type RunDetail = NonNullable<RunQuery["run"]>;
type Metric = RunDetail["metrics"][number];
/** A curve's points (JSON in the schema). */
type CurvePoints = { x?: number[]; y?: number[] };

const GENERAL = "Run";

function Timeline({ run }: { run: RunDetail }) {
  const now = useNow(1000);
  const waited = secondsBetween(run.createdAt, run.startedAt ?? (run.status === "QUEUED" ? null : run.finishedAt), now);
  const ran = run.startedAt ? secondsBetween(run.startedAt, run.finishedAt, now) : null;
  const steps: Array<{ label: string; at: string | null; note?: string; state: "done" | "current" | "pending" | "failed" }> = [
    { label: "Queued", at: run.createdAt, note: waited != null ? `waited ${formatDuration(waited)}` : undefined, state: run.status === "QUEUED" ? "current" : "done" },
    {
      label: "Running",
      at: run.startedAt,
      note: ran != null ? `${run.finishedAt ? "ran" : "running for"} ${formatDuration(ran)}` : undefined,
      state: run.status === "RUNNING" ? "current" : run.startedAt ? "done" : "pending",
    },
    {
      label: isActive(run.status) ? "Finished" : humanize(run.status),
      at: run.finishedAt,
      state: isActive(run.status) ? "pending" : run.status === "SUCCEEDED" ? "done" : "failed",
    },
  ];
  return (
    <ol className="timeline" aria-label="Status timeline">
      {steps.map((s) => (
        <li key={s.label} className={`timeline-step step-${s.state}`}>
          <span className="timeline-dot" aria-hidden="true" />
          <strong>{s.label}</strong>
          <span className="muted small">{s.at ? formatDate(s.at) : "—"}</span>
          {s.note && <span className="small">{s.note}</span>}
        </li>
      ))}
      {run.heartbeatAt && isActive(run.status) && <li className="timeline-note muted small">last heartbeat {formatRelative(run.heartbeatAt, now)}</li>}
    </ol>
  );
}

function LineageView({ run }: { run: RunDetail }) {
  const l = run.lineage;
  const chain = l.datasetChain.length ? l.datasetChain : l.inputDataset ? [{ ...l.inputDataset, transferMethod: null }] : [];
  if (!chain.length && !l.outputDataset && !l.faceModel && !l.outputFaceModel) return <p className="muted">No inputs recorded.</p>;
  return (
    <ol className="lineage-chain" aria-label="Lineage">
      {chain.map((d, i) => (
        <li key={d.id}>
          {i > 0 && d.transferMethod && <span className="lineage-method">→ {d.transferMethod.name} →</span>}
          {i > 0 && !d.transferMethod && <span className="lineage-method">→</span>}
          <Link to={`/datasets#dataset-${d.id}`}>{d.name}</Link>
        </li>
      ))}
      {l.faceModel && <li><span className="lineage-method">model</span> {l.faceModel.name} <span className="muted small">({l.faceModel.backbone} + {l.faceModel.head})</span></li>}
      {l.outputDataset && (
        <li>
          <span className="lineage-method">→ {l.transferMethod?.name ?? "output"} →</span>
          <Link to={`/datasets#dataset-${l.outputDataset.id}`}>{l.outputDataset.name}</Link>
          <span className="muted small"> (output)</span>
        </li>
      )}
      {l.outputFaceModel && <li><span className="lineage-method">→ trained →</span> {l.outputFaceModel.name} <span className="muted small">(output model)</span></li>}
    </ol>
  );
}

function MetricsByBenchmark({ metrics }: { metrics: Metric[] }) {
  const groups = useMemo(() => {
    const byBenchmark = new Map<string, Map<string, Metric>>();
    for (const m of metrics) {
      const b = m.benchmark?.name ?? GENERAL;
      const names = byBenchmark.get(b) ?? new Map<string, Metric>();
      const previous = names.get(m.name);
      if (!previous || previous.step <= m.step) names.set(m.name, m);
      byBenchmark.set(b, names);
    }
    return [...byBenchmark.entries()];
  }, [metrics]);
  if (!metrics.length) return <Empty title="No metrics yet">A TRANSFER run logs its speed when it finishes; an EVALUATE run logs one set per benchmark.</Empty>;
  return (
    <div className="metric-groups">
      {groups.map(([benchmark, names]) => (
        <table key={benchmark} className="metrics" data-benchmark={benchmark}>
          <caption>{benchmark === GENERAL ? "Run metrics" : benchmark}</caption>
          <thead>
            <tr><th scope="col">Metric</th><th scope="col" className="num">Value</th><th scope="col" className="num">Std</th><th scope="col" className="num">Step</th></tr>
          </thead>
          <tbody>
            {[...names.values()].map((m) => (
              <tr key={m.name} data-metric={m.name}>
                <th scope="row">{m.name}</th>
                <td className="num metric-value">{formatNumber(m.value, 6)}</td>
                <td className="num">{m.std == null ? "—" : formatNumber(m.std, 4)}</td>
                <td className="num">{m.step}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </div>
  );
}

/** ROC curves of this run, with the compared runs' curves of the same benchmark overlaid. */
function RocChart({ run, benchmark, compareIds }: { run: RunDetail; benchmark: string; compareIds: string[] }) {
  const own = run.curves.find((c) => c.kind === "ROC" && (c.benchmark?.name ?? "") === benchmark);
  const compared = useQuery(
    COMPARE, { ids: [run.id, ...compareIds], benchmark }, { skip: compareIds.length === 0 },
  );
  const series = useMemo<ChartSeries[]>(() => {
    const list: ChartSeries[] = [];
    if (compared.data) {
      for (const rc of compared.data.compareRuns.curves) {
        const points = rc.curve?.points as CurvePoints | undefined;
        if (points?.x && points.y) list.push({ label: `${runTitle(rc.run)} (${shortId(rc.run.id)})`, x: points.x, y: points.y });
      }
    } else {
      const points = own?.points as CurvePoints | undefined;
      if (points?.x && points.y) list.push({ label: runTitle(run), x: points.x, y: points.y });
    }
    return list;
  }, [compared.data, own, run]);
  return (
    <div className="roc">
      {compared.error && <ErrorMessage error={compared.error} title="Compared curves could not be loaded" />}
      {series.length > 0 ? (
        <LineChart title={`${benchmark} ROC`} series={series} xLabel="FMR (false match rate, log scale)" yLabel="TAR" logX yRange={[0, 1]} height={340}
          summary={`ROC curves on ${benchmark} for ${series.map((s) => s.label).join(", ")}: TAR against FMR on a logarithmic axis`} />
      ) : (
        <p className="muted">No ROC points for {benchmark}.</p>
      )}
    </div>
  );
}

function ComparePicker({ run, compareIds, setCompare }: { run: RunDetail; compareIds: string[]; setCompare: (ids: string[]) => void }) {
  const options = useQuery(COMPARABLE, { kind: run.kind });
  const [choice, setChoice] = useState("");
  const candidates = (options.data?.runs.nodes ?? []).filter((r) => r.id !== run.id && !compareIds.includes(r.id));
  const names = new Map((options.data?.runs.nodes ?? []).map((r) => [r.id, runTitle(r)]));
  return (
    <div className="compare">
      <form className="inline" onSubmit={(e) => { e.preventDefault(); if (choice) { setCompare([...compareIds, choice]); setChoice(""); } }}>
        <Field label={`Overlay another ${humanize(run.kind).toLowerCase()} run`}>
          {(p) => (
            <select {...p} value={choice} onChange={(e) => setChoice(e.target.value)} disabled={!candidates.length}>
              <option value="">{options.loading ? "Loading…" : candidates.length ? "Choose a run" : "No other finished runs"}</option>
              {candidates.map((r) => <option key={r.id} value={r.id}>{runTitle(r)} ({shortId(r.id)})</option>)}
            </select>
          )}
        </Field>
        <button type="submit" disabled={!choice}>Compare</button>
      </form>
      {compareIds.length > 0 && (
        <ul className="chips" aria-label="Compared runs">
          {compareIds.map((id) => (
            <li key={id}>
              <Link to={`/runs/${id}`}>{names.get(id) ?? shortId(id)}</Link>
              <button type="button" className="chip-remove" aria-label={`Stop comparing ${names.get(id) ?? id}`} onClick={() => setCompare(compareIds.filter((x) => x !== id))}>×</button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function CompareMetrics({ run, compareIds }: { run: RunDetail; compareIds: string[] }) {
  const data = useQuery(
    COMPARE_METRICS, { ids: [run.id, ...compareIds] },
  );
  if (data.loading) return <Loading what="Comparing" />;
  if (data.error) return <ErrorMessage error={data.error} retry={data.refetch} title="Comparison failed" />;
  const c = data.data!.compareRuns;
  return (
    <div className="table-scroll">
      <table className="compare-metrics">
        <caption>Metrics side by side (latest value per run)</caption>
        <thead>
          <tr>
            <th scope="col">Benchmark</th><th scope="col">Metric</th>
            {c.runs.map((r) => <th scope="col" key={r.id} className="num">{runTitle(r)}</th>)}
          </tr>
        </thead>
        <tbody>
          {c.metrics.map((m) => (
            <tr key={`${m.benchmark?.name}-${m.name}`} className={m.differs ? "differs" : undefined}>
              <td>{m.benchmark?.name ?? "—"}</td>
              <th scope="row">{m.name}</th>
              {m.values.map((v) => <td key={v.runId} className="num">{formatNumber(v.value, 6)}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function RunDetailPage({ id }: { id: string }) {
  const result = useQuery(QUERY, { id });
  const caps = useCapabilities();
  const [params, set] = useSearch();
  const compareIds = (params.get("compare") ?? "").split(",").filter(Boolean);
  const setCompare = (ids: string[]) => set({ compare: ids.join(",") });
  const refetch = useDebounced(result.refetch, 250);
  useSubscription(UPDATED, { id }, refetch);
  useSubscription(METRIC_LOGGED, { id }, refetch);
  useReconnect(result.refetch);
  const run = result.data?.run;
  useDocumentTitle(run ? runTitle(run) : "Run");

  if (result.loading) return <Loading what="Loading the run" />;
  if (result.error) return <ErrorMessage error={result.error} retry={result.refetch} title="The run could not be loaded" />;
  if (!run) {
    return (
      <Empty title="Run not found">
        <p>No run has the id <code>{id}</code>. <Link to="/runs">All runs</Link></p>
      </Empty>
    );
  }
  const rocBenchmarks = [...new Set(run.curves.filter((c) => c.kind === "ROC").map((c) => c.benchmark?.name ?? ""))];
  const paramRows = flatten(run.params);
  const configRows = Object.entries(run.config ?? {});
  const hasLogs = caps?.runFields.has("logTail") ?? false;

  return (
    <article aria-labelledby="run-title" className="run-detail">
      <p className="breadcrumbs"><Link to="/runs">Runs</Link> / {shortId(run.id)}</p>
      <div className="page-header">
        <h1 id="run-title">{runTitle(run)}</h1>
        <div className="actions">
          <StatusBadge status={run.status} />
          {run.published && <Tag tone="paper" title={run.source ?? undefined}>paper</Tag>}
          {run.kind === "TRANSFER" && run.lineage.outputDataset && <Link className="button" to={`/runs/${run.id}/qualitative`}>Qualitative view</Link>}
          <CancelButton runId={run.id} status={run.status} onCancelled={result.refetch} />
        </div>
      </div>

      <div className="detail-grid">
        <section aria-labelledby="summary-title" className="card">
          <h2 id="summary-title">Summary</h2>
          <dl className="facts">
            <dt>Kind</dt><dd>{humanize(run.kind)}</dd>
            <dt>Id</dt><dd><code>{run.id}</code></dd>
            {run.dataset && (<><dt>Dataset</dt><dd><Link to={`/datasets#dataset-${run.dataset.id}`}>{run.dataset.name}</Link></dd></>)}
            {run.transferMethod && (<><dt>Transfer method</dt><dd>{run.transferMethod.name}</dd></>)}
            {run.faceModel && (<><dt>Face model</dt><dd>{run.faceModel.name}</dd></>)}
            <dt>Seed</dt><dd>{run.seed ?? "—"}</dd>
            <dt>Group</dt><dd>{run.group ? <Link to={`/runs?group=${encodeURIComponent(run.group)}`}>{run.group}</Link> : "—"}</dd>
            <dt>Worker</dt><dd>{run.worker ?? "—"}</dd>
            <dt>Device</dt><dd>{run.device ?? "—"}</dd>
            <dt>Executor</dt><dd>{run.executor}</dd>
            {run.executor !== "local" && (<>
              <dt>Job</dt><dd>{run.executorJobId ?? "—"}</dd>
              <dt>Node</dt><dd>{run.executorNode ?? "—"}</dd>
              <dt>Reason</dt><dd>{run.executorReason ?? "—"}</dd>
            </>)}
            {Object.keys(run.resources ?? {}).length > 0 && (<><dt>Resources</dt><dd><code>{JSON.stringify(run.resources)}</code></dd></>)}
            {run.source && (<><dt>Source</dt><dd>{run.source}</dd></>)}
          </dl>
        </section>
        <section aria-labelledby="status-title" className="card">
          <h2 id="status-title">Status</h2>
          {!run.published && <LiveProgress runId={run.id} status={run.status} progress={run.progress} label={`Progress of ${runTitle(run)}`} onStale={refetch} />}
          <Timeline run={run} />
          {run.error && <FailureCause runId={run.id} status={run.status} error={run.error} withLog={hasLogs && !run.published} />}
        </section>
      </div>

      <section aria-labelledby="lineage-title">
        <h2 id="lineage-title">Lineage</h2>
        <LineageView run={run} />
      </section>

      <section aria-labelledby="metrics-title">
        <h2 id="metrics-title">Metrics</h2>
        <MetricsByBenchmark metrics={run.metrics} />
      </section>

      {rocBenchmarks.length > 0 && (
        <section aria-labelledby="roc-title">
          <h2 id="roc-title">ROC curves</h2>
          <ComparePicker run={run} compareIds={compareIds} setCompare={setCompare} />
          <div className="chart-grid">
            {rocBenchmarks.map((b) => <RocChart key={b} run={run} benchmark={b} compareIds={compareIds} />)}
          </div>
        </section>
      )}
      {rocBenchmarks.length === 0 && run.kind !== "TRANSFER" && !run.published && (
        <section aria-labelledby="compare-title">
          <h2 id="compare-title">Compare</h2>
          <ComparePicker run={run} compareIds={compareIds} setCompare={setCompare} />
        </section>
      )}
      {compareIds.length > 0 && <CompareMetrics run={run} compareIds={compareIds} />}

      <TrainingCurves run={run} compareIds={compareIds} />

      {hasLogs && !run.published && (
        <section aria-labelledby="log-title">
          <h2 id="log-title">Log tail</h2>
          <LogTail runId={run.id} active={isActive(run.status)} />
        </section>
      )}

      <section aria-labelledby="config-title">
        <h2 id="config-title">Configuration</h2>
        <p className="muted">Its own params plus what it inherits (training, transfer, data); runs that differ only in seeds repeat one configuration.</p>
        {configRows.length === 0 ? <p className="muted">Nothing known.</p> : (
          <table className="params" aria-label="Configuration">
            <thead><tr><th scope="col">Key</th><th scope="col">Value</th></tr></thead>
            <tbody>
              {configRows.map(([k, v]) => <tr key={k}><th scope="row"><code>{k}</code></th><td><code>{formatValue(v)}</code></td></tr>)}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="params-title">
        <h2 id="params-title">Params</h2>
        {paramRows.length === 0 ? <p className="muted">No params.</p> : (
          <table className="params">
            <thead><tr><th scope="col">Param</th><th scope="col">Value</th></tr></thead>
            <tbody>
              {paramRows.map(([k, v]) => <tr key={k}><th scope="row"><code>{k}</code></th><td><code>{formatValue(v)}</code></td></tr>)}
            </tbody>
          </table>
        )}
        {run.details != null && (
          <details>
            <summary>Details (JSON)</summary>
            <pre className="json">{JSON.stringify(run.details, null, 2)}</pre>
          </details>
        )}
      </section>
    </article>
  );
}
