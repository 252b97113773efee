import { useEffect, type ReactNode } from "react";
import { Field } from "../components/Field";
import { Empty, ErrorMessage, Loading } from "../components/States";
import { StatusBadge, Tag } from "../components/StatusBadge";
import { formatCount, humanize } from "../format";
import { graphql } from "../generated/graphql";
import type { DatasetKind, DatasetsQuery, Requirement } from "../generated/graphql/graphql";
import { useDocumentTitle, useQuery } from "../hooks";
import { Link, useSearch } from "../router";

const QUERY = graphql(`query Datasets($kind: DatasetKind) {
  datasets(kind: $kind) {
    id name kind requirement description identityCount imageCount uri createdAt
    sourceDataset { id name }
    transferMethod { id name }
    producedByRun { id name status }
    derivedDatasets { id }
    lineage { id name transferMethod { name } }
  }
}`);

type Dataset = DatasetsQuery["datasets"][number];

// Typed by the schema's enum: a new DatasetKind fails the type-check until it has a label.
const KIND_LABEL: Record<DatasetKind, string> = { REAL: "Real", SYNTHETIC: "Synthetic", REALISM_TRANSFERRED: "Realism transferred" };
const isDatasetKind = (value: string): value is DatasetKind => Object.hasOwn(KIND_LABEL, value);

const REQUIREMENT_LABEL: Record<Requirement, string> = { NONE: "No-Req", IDENTITY_LABELS: "Identity labels", PRETRAINED_FR: "Pre-trained FR" };

export function Chain({ lineage }: { lineage: Dataset["lineage"] }) {
  const parts: ReactNode[] = [];
  lineage.forEach((d, i) => {
    if (i > 0) parts.push(<span key={`m${d.id}`} className="lineage-method">→ {d.transferMethod?.name ?? "derived"} →</span>);
    parts.push(<a key={d.id} href={`#dataset-${d.id}`}>{d.name}</a>);
  });
  return <span className="lineage-inline">{parts}</span>;
}

function Tree({ datasets }: { datasets: Dataset[] }) {
  const byId = new Map(datasets.map((d) => [d.id, d]));
  const children = (id: string) => datasets.filter((d) => d.sourceDataset?.id === id);
  const roots = datasets.filter((d) => (!d.sourceDataset || !byId.has(d.sourceDataset.id)) && children(d.id).length > 0);
  if (!roots.length) return null;
  const render = (d: Dataset): ReactNode => (
    <li key={d.id}>
      <a href={`#dataset-${d.id}`}>{d.name}</a> <span className="muted small">{humanize(d.kind)}{d.imageCount != null ? `, ${formatCount(d.imageCount)} images` : ""}</span>
      {children(d.id).length > 0 && (
        <ul>
          {children(d.id).map((c) => (
            <li key={c.id} className="tree-edge">
              <span className="lineage-method">{c.transferMethod?.name ?? "derived"} →</span>
              <ul className="tree-inline">{render(c)}</ul>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
  return (
    <section aria-labelledby="lineage-tree" className="card">
      <h2 id="lineage-tree">Lineage</h2>
      <ul className="tree">{roots.map(render)}</ul>
    </section>
  );
}

export function DatasetsPage() {
  useDocumentTitle("Datasets");
  const [params, set] = useSearch();
  const requested = params.get("kind") ?? "";
  const kind = isDatasetKind(requested) ? requested : "";
  const result = useQuery(QUERY, kind ? { kind } : {});
  const datasets = result.data?.datasets;

  useEffect(() => {
    if (!datasets || !window.location.hash) return;
    const target = document.getElementById(window.location.hash.slice(1));
    target?.scrollIntoView({ block: "center" });
    target?.classList.add("highlight");
  }, [datasets]);

  return (
    <section aria-labelledby="datasets-title">
      <div className="page-header">
        <h1 id="datasets-title">Datasets</h1>
      </div>
      <form className="controls" aria-label="Dataset filters" onSubmit={(e) => e.preventDefault()}>
        <Field label="Kind">
          {(p) => (
            <select {...p} value={kind} onChange={(e) => set({ kind: e.target.value })}>
              <option value="">All kinds</option>
              {Object.entries(KIND_LABEL).map(([value, label]) => <option key={value} value={value}>{label}</option>)}
            </select>
          )}
        </Field>
      </form>
      {result.loading && <Loading what="Loading datasets" />}
      {result.error && <ErrorMessage error={result.error} retry={result.refetch} title="Datasets could not be loaded" />}
      {datasets && datasets.length === 0 && (
        <Empty title="No datasets">
          <p>Register one with the <code>createDataset</code> mutation, or <Link to="/launch">transfer</Link> an existing one.</p>
        </Empty>
      )}
      {datasets && datasets.length > 0 && (
        <>
          {!kind && <Tree datasets={datasets} />}
          <div className="table-scroll">
            <table className="datasets">
              <caption>{datasets.length} dataset{datasets.length === 1 ? "" : "s"}</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th><th scope="col">Kind</th><th scope="col">SynGen req.</th>
                  <th scope="col" className="num">Identities</th><th scope="col" className="num">Images</th>
                  <th scope="col">Lineage</th><th scope="col">Produced by</th><th scope="col">Folder</th>
                </tr>
              </thead>
              <tbody>
                {datasets.map((d) => (
                  <tr key={d.id} id={`dataset-${d.id}`}>
                    <th scope="row">
                      {d.name}
                      {d.description && <div className="muted small">{d.description}</div>}
                    </th>
                    <td>{humanize(d.kind)}</td>
                    <td>{d.requirement ? <Tag tone={d.requirement === "NONE" ? "own" : "warn"}>{REQUIREMENT_LABEL[d.requirement] ?? d.requirement}</Tag> : <span className="muted">—</span>}</td>
                    <td className="num">{formatCount(d.identityCount)}</td>
                    <td className="num">{formatCount(d.imageCount)}</td>
                    <td>{d.lineage.length > 1 ? <Chain lineage={d.lineage} /> : <span className="muted">original</span>}</td>
                    <td>
                      {d.producedByRun ? (
                        <>
                          <Link to={`/runs/${d.producedByRun.id}`}>{d.producedByRun.name ?? d.producedByRun.id.slice(0, 8)}</Link>{" "}
                          <StatusBadge status={d.producedByRun.status} />
                          {d.producedByRun.status === "SUCCEEDED" && (
                            <div><Link to={`/runs/${d.producedByRun.id}/qualitative`} className="small">Source vs transferred images</Link></div>
                          )}
                        </>
                      ) : <span className="muted">—</span>}
                    </td>
                    <td className="small">{d.uri ? <code className="path">{d.uri}</code> : <span className="muted">not on this server</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
