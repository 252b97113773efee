// A run's training curves (metrics logged at several steps), overlaid with the compared runs'
// curves and, for a run in a group of repeats, the group's mean ± std band across seeds.
import { useEffect, useMemo } from "react";
import { meanStdByStep, seriesByKey } from "../curve-stats";
import { shortId } from "../format";
import { useQuery } from "../hooks";
import { LineChart, PALETTE, type ChartBand, type ChartSeries } from "./LineChart";
import { ErrorMessage } from "./States";
import { graphql } from "../generated/graphql";
import type { CurveRunFragment } from "../generated/graphql/graphql";

graphql(`fragment CurveRun on Run { id name kind seed status metrics { name value step benchmark { name } } }`);
const COMPARED = graphql(`query ComparedCurves($ids: [ID!]!) { compareRuns(ids: $ids) { runs { ...CurveRun } } }`);
const GROUP = graphql(`query GroupCurves($group: String!, $kind: RunKind) { runs(filter: { group: $group, kind: $kind, published: false }, first: 50) { nodes { ...CurveRun } } }`);

type CurveRun = CurveRunFragment;
const BAND_FILL = "rgba(80, 80, 80, 0.15)";

const runLabel = (r: { id: string; name: string | null; seed: number | null }) => `${r.name ?? shortId(r.id)}${r.seed != null && !(r.name ?? "").includes("seed") ? ` (seed ${r.seed})` : ""}`;

export function TrainingCurves({ run, compareIds }: { run: CurveRun & { group: string | null }; compareIds: string[] }) {
  const compared = useQuery(COMPARED, { ids: compareIds }, { skip: compareIds.length === 0 });
  // Refetched when this run logs more points, so the band follows the live run.
  const group = useQuery(GROUP, { group: run.group ?? "", kind: run.kind }, { skip: !run.group });
  const refetchGroup = group.refetch;
  useEffect(() => refetchGroup(), [run.metrics.length, refetchGroup]);

  const charts = useMemo(() => {
    const own = seriesByKey(run.metrics);
    const others = (compared.data?.compareRuns.runs ?? []).filter((r) => r.id !== run.id).map((r) => ({ run: r, series: seriesByKey(r.metrics) }));
    // The group's repeats: a FAILED or CANCELLED attempt (e.g. replaced by a resume) is not one of its seeds.
    const members = (group.data?.runs.nodes ?? [])
      .filter((r) => r.id === run.id || (r.status !== "FAILED" && r.status !== "CANCELLED"))
      .map((r) => (r.id === run.id ? seriesByKey(run.metrics) : seriesByKey(r.metrics)));
    const keys = new Set([...own.keys(), ...others.flatMap((o) => [...o.series.keys()])]);
    const list: Array<{ key: string; series: ChartSeries[]; bands: ChartBand[] }> = [];
    for (const key of keys) {
      const mine = own.get(key);
      const overlays = others.filter((o) => o.series.get(key)?.x.length);
      if (new Set(mine?.x ?? []).size < 2 && !overlays.some((o) => o.series.get(key)!.x.length > 1)) continue;
      const series: ChartSeries[] = [];
      const bands: ChartBand[] = [];
      const stats = members.length >= 2 ? meanStdByStep(members.map((m) => m.get(key)).filter((s): s is NonNullable<typeof s> => !!s)) : null;
      if (stats) {
        // The band first, so the runs' lines draw over it.
        series.push({ label: `group mean + std`, x: stats.x, y: stats.upper, color: "rgba(80,80,80,0.35)", width: 1 });
        series.push({ label: `group mean − std`, x: stats.x, y: stats.lower, color: "rgba(80,80,80,0.35)", width: 1 });
        series.push({ label: `group mean (${stats.runs} seeds)`, x: stats.x, y: stats.mean, color: "#444", dash: [6, 4], width: 2 });
        bands.push({ upper: 0, lower: 1, fill: BAND_FILL });
      }
      if (mine) series.push({ label: `${runLabel(run)} (this run)`, x: mine.x, y: mine.y, color: PALETTE[0], width: 2.5 });
      overlays.forEach((o, i) => {
        const s = o.series.get(key)!;
        series.push({ label: runLabel(o.run), x: s.x, y: s.y, color: PALETTE[(i + 1) % PALETTE.length] });
      });
      list.push({ key, series, bands });
    }
    return list;
  }, [run, compared.data, group.data]);

  if (!charts.length) return null;
  return (
    <section aria-labelledby="training-curves">
      <h2 id="training-curves">Training curves</h2>
      {compared.error && <ErrorMessage error={compared.error} title="Compared runs' curves could not be loaded" />}
      <div className="chart-grid">
        {charts.map((c) => (
          <LineChart key={c.key} title={c.key} series={c.series} bands={c.bands} xLabel="step" yLabel={c.key} height={260}
            summary={`${c.key} by step for ${c.series.map((s) => s.label).join(", ")}`} />
        ))}
      </div>
    </section>
  );
}
