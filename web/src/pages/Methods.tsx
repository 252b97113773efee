// The paper's Table 1: each transfer method's time per image, measured here (per
// device) beside the paper's figure, with its requirement and qualitative rating.
import { Fragment } from "react";
import { Empty, ErrorMessage, Loading } from "../components/States";
import { Tag } from "../components/StatusBadge";
import { formatDate, formatNumber, humanize } from "../format";
import { useDocumentTitle, useQuery, useReconnect, useSubscription, useDebounced } from "../hooks";
import { graphql } from "../generated/graphql";

const QUERY = graphql(`query MethodTimings {
  transferMethodTimings {
    method { id name family requirement description modelPath trainedOn { name } defaultOptions }
    publishedSecondsPerImage publishedDevice qualitative
    measured { device secondsPerImage std runs minSecondsPerImage maxSecondsPerImage ratioToPublished lastRunAt }
  }
}`);
const UPDATED = graphql(`subscription MethodTimingsUpdated { runUpdated(filter: { kind: TRANSFER, status: [SUCCEEDED] }) { id } }`);

const seconds = (v: number | null | undefined) => (v == null ? "—" : `${formatNumber(v, 3)} s`);

export function MethodsPage() {
  useDocumentTitle("Transfer methods");
  const result = useQuery(QUERY);
  const refetch = useDebounced(result.refetch, 500);
  useSubscription(UPDATED, {}, refetch);
  useReconnect(result.refetch);
  const rows = result.data?.transferMethodTimings;
  return (
    <section aria-labelledby="methods-title">
      <div className="page-header"><h1 id="methods-title">Transfer methods</h1></div>
      <p className="lead">The paper's Table 1: seconds per image as published, beside what SUCCEEDED transfer runs measured here, per device.</p>
      {result.loading && <Loading what="Loading transfer methods" />}
      {result.error && <ErrorMessage error={result.error} retry={result.refetch} title="Transfer methods could not be loaded" />}
      {rows && rows.length === 0 && <Empty title="No transfer methods registered" />}
      {rows && rows.length > 0 && (
        <div className="table-scroll">
          <table className="methods">
            <caption>Time per image: paper vs measured. A ratio compares measured to published time and only means something on comparable hardware.</caption>
            <thead>
              <tr>
                <th scope="col">Method</th><th scope="col">Family</th><th scope="col">SynGen req.</th><th scope="col">Qualitative</th>
                <th scope="col" className="num">Paper s/img</th><th scope="col">Measured (device)</th><th scope="col" className="num">Measured s/img</th>
                <th scope="col" className="num">Runs</th><th scope="col" className="num">× paper</th><th scope="col">Model</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((t) => {
                const measured = t.measured.length ? t.measured : [null];
                return (
                  <Fragment key={t.method.id}>
                    {measured.map((m, i) => (
                      <tr key={`${t.method.id}-${m?.device ?? "none"}`} data-method={t.method.name}>
                        {i === 0 && (
                          <>
                            <th scope="row" rowSpan={measured.length}>
                              {t.method.name}
                              {t.method.description && <div className="muted small">{t.method.description}</div>}
                            </th>
                            <td rowSpan={measured.length}>{humanize(t.method.family)}</td>
                            <td rowSpan={measured.length}><Tag tone={t.method.requirement === "NONE" ? "own" : "warn"}>{t.method.requirement === "NONE" ? "No-Req" : humanize(t.method.requirement)}</Tag></td>
                            <td rowSpan={measured.length}>{t.qualitative ? <span className={`rating rating-${t.qualitative.toLowerCase()}`}>{humanize(t.qualitative)}</span> : "—"}</td>
                            <td rowSpan={measured.length} className="num" title={t.publishedDevice ?? undefined}>
                              {seconds(t.publishedSecondsPerImage)}
                              {t.publishedDevice && <div className="muted small">{t.publishedDevice}</div>}
                            </td>
                          </>
                        )}
                        {m ? (
                          <>
                            <td>{m.device}<div className="muted small">last {formatDate(m.lastRunAt)}</div></td>
                            <td className="num measured" title={`min ${seconds(m.minSecondsPerImage)}, max ${seconds(m.maxSecondsPerImage)}`}>
                              {seconds(m.secondsPerImage)}{m.std != null && m.runs > 1 && <span className="cell-std"> ±{formatNumber(m.std, 2)}</span>}
                            </td>
                            <td className="num">{m.runs}</td>
                            <td className="num">{m.ratioToPublished == null ? "—" : `${formatNumber(m.ratioToPublished, 3)}×`}</td>
                          </>
                        ) : (
                          <td colSpan={4} className="muted">not measured yet</td>
                        )}
                        {i === 0 && <td rowSpan={measured.length} className="small">{t.method.modelPath ? <Tag tone="own" title={t.method.modelPath}>ONNX registered</Tag> : <span className="muted">none</span>}</td>}
                      </tr>
                    ))}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
