// The paper's Figure 3: source images beside their realism-transferred versions, for
// one TRANSFER run. Images come from the data roots through /files/datasets/... (only
// files of registered datasets; see src/server/dashboard-routes.ts).
import { useEffect, useState } from "react";
import { authHeaders, getToken } from "../auth";
import { Field } from "../components/Field";
import { Empty, ErrorMessage, Loading } from "../components/States";
import { StatusBadge } from "../components/StatusBadge";
import { shortId } from "../format";
import { useDocumentTitle, useQuery } from "../hooks";
import { Link, navigate } from "../router";
import { runTitle } from "./Runs";
import { graphql } from "../generated/graphql";
import type { QualitativeRunQuery } from "../generated/graphql/graphql";

const RUN = graphql(`query QualitativeRun($id: ID!) {
  run(id: $id) {
    id name kind status
    transferMethod { name }
    lineage { inputDataset { id name } outputDataset { id name imageCount } }
  }
}`);
const TRANSFERS = graphql(`query QualitativeTransfers { runs(filter: { kind: TRANSFER, published: false, status: [SUCCEEDED] }, first: 100) { nodes { id name status createdAt } } }`);

type QualitativeRun = NonNullable<QualitativeRunQuery["run"]>;
interface ImagePage { images: string[]; hasMore: boolean; offset: number }

const PAGE = 24;

export const imageUrl = (datasetId: string, relative: string) =>
  `/files/datasets/${encodeURIComponent(datasetId)}/image/${relative.split("/").map(encodeURIComponent).join("/")}`;

function useImagePage(datasetId: string | null, offset: number) {
  const [state, setState] = useState<{ page: ImagePage | null; error: Error | null; loading: boolean }>({ page: null, error: null, loading: false });
  useEffect(() => {
    if (!datasetId) return;
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true, error: null }));
    fetch(`/files/datasets/${encodeURIComponent(datasetId)}/images?offset=${offset}&limit=${PAGE}`, { signal: controller.signal, headers: authHeaders() })
      .then(async (response) => {
        const body = await response.json().catch(() => null);
        if (!response.ok) throw new Error(body?.error?.message ?? `The server answered ${response.status}`);
        return body as ImagePage;
      })
      .then((page) => setState({ page, error: null, loading: false }), (error: Error) => {
        if (!controller.signal.aborted) setState({ page: null, error, loading: false });
      });
    return () => controller.abort();
  }, [datasetId, offset]);
  return state;
}

/** An <img>; with an API token set, fetched with it (when reads need a token) as a blob. */
function DatasetImage({ src, alt }: { src: string; alt: string }) {
  const token = getToken();
  const [blobUrl, setBlobUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (!token) return;
    let url: string | null = null;
    const controller = new AbortController();
    fetch(src, { headers: authHeaders(), signal: controller.signal })
      .then((r) => (r.ok ? r.blob() : Promise.reject(new Error(String(r.status)))))
      .then((blob) => setBlobUrl((url = URL.createObjectURL(blob))), () => !controller.signal.aborted && setFailed(true));
    return () => {
      controller.abort();
      if (url) URL.revokeObjectURL(url);
    };
  }, [src, token]);
  if (failed) return <span className="img-missing" role="img" aria-label={`${alt} (not available)`}>not available</span>;
  return <img src={token ? blobUrl ?? undefined : src} alt={alt} loading="lazy" width={112} height={112} onError={() => setFailed(true)} />;
}

function RunPicker({ current }: { current: string | null }) {
  const runs = useQuery(TRANSFERS);
  if (runs.loading) return <Loading what="Loading transfer runs" />;
  if (runs.error) return <ErrorMessage error={runs.error} retry={runs.refetch} />;
  const nodes = runs.data!.runs.nodes;
  if (!nodes.length) {
    return (
      <Empty title="No finished transfer runs">
        <p><Link to="/launch">Launch a transfer</Link>; its images appear here when it succeeds.</p>
      </Empty>
    );
  }
  return (
    <form className="controls" onSubmit={(e) => e.preventDefault()} aria-label="Choose a transfer run">
      <Field label="Transfer run">
        {(p) => (
          <select {...p} value={current ?? ""} onChange={(e) => e.target.value && navigate(`/runs/${e.target.value}/qualitative`)}>
            <option value="">Choose a run</option>
            {nodes.map((r) => <option key={r.id} value={r.id}>{runTitle({ ...r, kind: "TRANSFER" })} ({shortId(r.id)})</option>)}
          </select>
        )}
      </Field>
    </form>
  );
}

function Grid({ run }: { run: QualitativeRun }) {
  const [offset, setOffset] = useState(0);
  const source = run.lineage.inputDataset;
  const output = run.lineage.outputDataset;
  const { page, error, loading } = useImagePage(output?.id ?? null, offset);
  if (run.kind !== "TRANSFER") return <Empty title="Not a transfer run">The qualitative view compares a TRANSFER run's source and transferred images.</Empty>;
  if (!output || !source) {
    return (
      <Empty title="No transferred images yet">
        <p>The transferred dataset is registered when the run succeeds (status: <StatusBadge status={run.status} />).</p>
      </Empty>
    );
  }
  return (
    <>
      {loading && <Loading what="Loading images" />}
      {error && <ErrorMessage error={error} title="Images could not be listed" />}
      {page && page.images.length === 0 && <Empty title="No images found">The folder of {output.name} holds no .png or .jpg files.</Empty>}
      {page && page.images.length > 0 && (
        <>
          <ul className="qual-grid" aria-label={`Source vs transferred images, ${source.name} → ${output.name}`}>
            {page.images.map((rel) => (
              <li key={rel} className="qual-pair">
                <figure>
                  <DatasetImage src={imageUrl(source.id, rel)} alt={`Source ${rel}`} />
                  <figcaption>source</figcaption>
                </figure>
                <figure>
                  <DatasetImage src={imageUrl(output.id, rel)} alt={`Transferred ${rel}`} />
                  <figcaption>{run.transferMethod?.name ?? "transferred"}</figcaption>
                </figure>
                <p className="qual-path small muted">{rel}</p>
              </li>
            ))}
          </ul>
          <div className="pager">
            <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>Previous</button>
            <span className="muted">images {offset + 1}–{offset + page.images.length}</span>
            <button type="button" disabled={!page.hasMore} onClick={() => setOffset(offset + PAGE)}>Next</button>
          </div>
        </>
      )}
    </>
  );
}

export function QualitativePage({ runId }: { runId: string | null }) {
  useDocumentTitle("Qualitative");
  const result = useQuery(RUN, { id: runId ?? "" }, { skip: !runId });
  const run = result.data?.run;
  return (
    <section aria-labelledby="qual-title">
      <div className="page-header">
        <h1 id="qual-title">Qualitative: source vs transferred</h1>
        {run && <div className="actions"><Link className="button" to={`/runs/${run.id}`}>Run details</Link></div>}
      </div>
      <RunPicker current={runId} />
      {runId && result.loading && <Loading what="Loading the run" />}
      {result.error && <ErrorMessage error={result.error} retry={result.refetch} />}
      {runId && result.data && !run && <Empty title="Run not found">No run has the id <code>{runId}</code>.</Empty>}
      {run && (
        <>
          <p className="lead">
            {runTitle(run)}: <strong>{run.lineage.inputDataset?.name ?? "?"}</strong> → {run.transferMethod?.name ?? "?"} → <strong>{run.lineage.outputDataset?.name ?? "(not yet)"}</strong>
          </p>
          <Grid key={run.id} run={run} />
        </>
      )}
    </section>
  );
}
