// Pipelines: each pipeline's steps (transfer, trainings, evaluations) with their status,
// live through pipelineUpdated, and the actions a pipeline allows: cancel while RUNNING,
// resume once FAILED or CANCELLED (finished steps are kept, broken ones queued again).
import { useState } from "react";
import { useCapabilities } from "../capabilities";
import { ProgressBar } from "../components/ProgressBar";
import { Empty, ErrorMessage, Loading } from "../components/States";
import { StatusBadge, Tag } from "../components/StatusBadge";
import { formatDate, shortId } from "../format";
import { GraphQLRequestError, request, type Document as GraphQLDocument } from "../graphql";
import { useDebounced, useDocumentTitle, useQuery, useReconnect, useSubscription } from "../hooks";
import { pipelineSteps } from "../pipeline-steps";
import { Link } from "../router";
import { graphql } from "../generated/graphql";
import type { PipelineQuery } from "../generated/graphql/graphql";

const LIST = graphql(`query Pipelines { pipelines(first: 30) { id } }`);
const ONE = graphql(`query Pipeline($id: ID!) {
  pipeline(id: $id) {
    id name status baseline group error createdAt finishedAt progress { done total fraction }
    runs { id kind status name seed error faceModel { id name } }
  }
}`);
const UPDATED = graphql(`subscription PipelinePageUpdated($id: ID!) { pipelineUpdated(id: $id) { pipeline { id status } } }`);
const RUN_UPDATED = graphql(`subscription PipelineRuns { runUpdated { id status } }`);
/** A run event of a pipeline not listed yet means a new pipeline: the list refetches. */
const ANY_PIPELINE_RUN = graphql(`subscription PipelineRunsAppear { runUpdated { id pipeline { id } } }`);
const CANCEL = graphql(`mutation CancelPipeline($id: ID!) { cancelPipeline(id: $id) { id status } }`);
const RESUME = graphql(`mutation ResumePipeline($id: ID!) { resumePipeline(id: $id) { id status } }`);

type Pipeline = NonNullable<PipelineQuery["pipeline"]>;

function Actions({ pipeline, onDone }: { pipeline: Pipeline; onDone: () => void }) {
  const caps = useCapabilities();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const act = async (mutation: GraphQLDocument<unknown, { id: string }>, confirmText: string) => {
    if (!window.confirm(confirmText)) return;
    setBusy(true);
    setError(null);
    try {
      await request(mutation, { id: pipeline.id });
      onDone();
    } catch (e) {
      setError(e instanceof GraphQLRequestError ? `${e.code ? `${e.code}: ` : ""}${e.message}` : String(e));
    } finally {
      setBusy(false);
    }
  };
  const canResume = (pipeline.status === "FAILED" || pipeline.status === "CANCELLED") && caps?.mutations.has("resumePipeline");
  return (
    <span className="actions">
      {pipeline.status === "RUNNING" && (
        <button type="button" className="danger" disabled={busy} onClick={() => act(CANCEL, "Cancel this pipeline? Its queued and running steps are cancelled.")}>
          {busy ? "Cancelling…" : "Cancel pipeline"}
        </button>
      )}
      {canResume && (
        <button type="button" disabled={busy} onClick={() => act(RESUME, "Resume this pipeline? Finished steps are kept; failed and cancelled steps run again.")}>
          {busy ? "Resuming…" : "Resume"}
        </button>
      )}
      {error && <small className="field-error" role="alert">{error}</small>}
    </span>
  );
}

function PipelineCard({ id, detail = false }: { id: string; detail?: boolean }) {
  const result = useQuery(ONE, { id });
  const refetch = useDebounced(result.refetch, 200);
  useSubscription(UPDATED, { id }, refetch);
  // Step progress (a run starting) does not move the pipeline itself: follow its runs too.
  const runIds = new Set(result.data?.pipeline?.runs.map((r) => r.id) ?? []);
  useSubscription(RUN_UPDATED, {}, (e) => runIds.has(e.runUpdated.id) && refetch(), { skip: result.data?.pipeline?.status !== "RUNNING" });
  useReconnect(result.refetch);
  const p = result.data?.pipeline;
  if (result.loading) return <li className="card"><Loading what={`Pipeline ${shortId(id)}`} /></li>;
  if (!p) return <li className="card">{result.error ? <ErrorMessage error={result.error} retry={result.refetch} /> : <p>Pipeline {shortId(id)} does not exist.</p>}</li>;
  const steps = pipelineSteps(p.runs);
  return (
    <li className="card pipeline" data-pipeline-id={p.id} data-status={p.status}>
      <div className="page-header">
        <h2>
          <Link to={`/pipelines/${p.id}`}>{p.name}</Link> {p.baseline && <Tag tone="info">baseline</Tag>}
        </h2>
        <div className="actions">
          <StatusBadge status={p.status} />
          <Actions pipeline={p} onDone={result.refetch} />
        </div>
      </div>
      <p className="muted small">
        group <Link to={`/runs?group=${encodeURIComponent(p.group)}`}>{p.group}</Link> · launched {formatDate(p.createdAt)}
        {p.finishedAt ? ` · finished ${formatDate(p.finishedAt)}` : ""}
      </p>
      <ProgressBar progress={p.progress} status={p.status} label={`Steps of pipeline ${p.name}`} />
      {p.error && <pre className="error-pre pipeline-error" role="alert">{p.error}</pre>}
      <table className="pipeline-steps">
        <caption className="visually-hidden">Steps of {p.name}</caption>
        <thead><tr><th scope="col">Step</th><th scope="col">Status</th><th scope="col">Run</th>{detail && <th scope="col">Earlier attempts</th>}</tr></thead>
        <tbody>
          {steps.map((s) => (
            <tr key={s.key} data-step={s.key} data-status={s.run.status}>
              <th scope="row">{s.label}</th>
              <td><StatusBadge status={s.run.status} />{s.superseded.length > 0 && <span className="muted small"> (resumed)</span>}</td>
              <td><Link to={`/runs/${s.run.id}`}>{shortId(s.run.id)}</Link>{s.run.status === "FAILED" && s.run.error && <span className="muted small"> {s.run.error.split("\n")[0]}</span>}</td>
              {detail && (
                <td className="small">
                  {s.superseded.length === 0 ? "—" : s.superseded.map((r) => <span key={r.id} className="superseded"><Link to={`/runs/${r.id}`}>{shortId(r.id)}</Link> {r.status.toLowerCase()} </span>)}
                </td>
              )}
            </tr>
          ))}
          {steps.length === 0 && <tr><td colSpan={detail ? 4 : 3} className="muted">No steps launched yet.</td></tr>}
        </tbody>
      </table>
    </li>
  );
}

export function PipelinesPage() {
  useDocumentTitle("Pipelines");
  const list = useQuery(LIST);
  useReconnect(list.refetch);
  const refetchList = useDebounced(list.refetch, 300);
  const listed = new Set(list.data?.pipelines.map((p) => p.id) ?? []);
  useSubscription(ANY_PIPELINE_RUN, {}, (e) => {
    if (e.runUpdated.pipeline && !listed.has(e.runUpdated.pipeline.id)) refetchList();
  }, { skip: !list.data });
  if (list.loading) return <Loading what="Loading pipelines" />;
  if (list.error) return <ErrorMessage error={list.error} retry={list.refetch} title="Pipelines could not be loaded" />;
  const ids = list.data!.pipelines.map((p) => p.id);
  return (
    <section aria-labelledby="pipelines-title">
      <div className="page-header">
        <h1 id="pipelines-title">Pipelines</h1>
        <button type="button" onClick={list.refetch}>Refresh</button>
      </div>
      {ids.length === 0 ? (
        <Empty title="No pipelines yet"><p>Launch one on the <Link to="/launch">Launch</Link> page (transfer → train × repeats → evaluate).</p></Empty>
      ) : (
        <ul className="pipelines">{ids.map((id) => <PipelineCard key={id} id={id} />)}</ul>
      )}
    </section>
  );
}

export function PipelineDetailPage({ id }: { id: string }) {
  useDocumentTitle(`Pipeline ${shortId(id)}`);
  return (
    <article>
      <p className="breadcrumbs"><Link to="/pipelines">Pipelines</Link> / {shortId(id)}</p>
      <ul className="pipelines"><PipelineCard id={id} detail /></ul>
    </article>
  );
}
