// How well a dataset quality measure predicts FR accuracy without training: per quality metric
// and leaderboard column, Spearman's rho across the datasets (one per transfer method) that have
// both the quality value (mean over their successful dataset-quality runs) and a leaderboard
// mean (own EVALUATE runs of models trained on that dataset, grouped by dataset alone).
import type { Stores } from "../../db/stores";
import { spearman } from "../../metrics/spearman";
import { QUALITY_METRICS } from "../../runners/quality/params";
import type { LeaderboardInput } from "./types";

export interface QualityCorrelationsInput {
  benchmarks?: string[] | null;
  metric?: string | null;
  /** Only quality runs with this feature extractor / reference set (default: all, averaged). */
  faceModelId?: string | null;
  referenceDatasetId?: string | null;
}

export interface QualityCorrelationPoint {
  datasetId: string;
  datasetName: string | null;
  transferMethodName: string | null;
  quality: number;
  benchmarkMean: number;
}

export interface QualityCorrelation {
  qualityMetric: string;
  benchmark: string;
  metric: string;
  /** Null with fewer than 2 datasets or when either side is constant. */
  rho: number | null;
  n: number;
  points: QualityCorrelationPoint[];
}

type LeaderboardFn = (input: LeaderboardInput, options: { withRuns: boolean }) => Promise<import("./types").Leaderboard>;

export function createQualityCorrelations(stores: Stores, leaderboard: LeaderboardFn) {
  return async function qualityCorrelations(input: QualityCorrelationsInput = {}): Promise<QualityCorrelation[]> {
    const table = await leaderboard(
      {
        benchmarks: input.benchmarks ?? null,
        metric: input.metric ?? null,
        groupBy: { dataset: true, trainingDataset: true, transferMethod: false, params: [], group: false },
        filter: { published: false },
        average: false,
      },
      { withRuns: false },
    );
    const quality = await stores.quality.meansByDataset({
      names: [...QUALITY_METRICS],
      faceModelId: input.faceModelId ?? null,
      referenceDatasetId: input.referenceDatasetId ?? null,
    });
    const qualityOf = new Map(quality.map((q) => [`${q.datasetId}\u0000${q.name}`, q.mean]));
    const out: QualityCorrelation[] = [];
    for (const qualityMetric of QUALITY_METRICS) {
      for (const column of table.columns) {
        const points: QualityCorrelationPoint[] = [];
        for (const row of table.rows) {
          if (!row.datasetId) continue;
          const q = qualityOf.get(`${row.datasetId}\u0000${qualityMetric}`);
          const mean = row.cells.find((c) => c.column === column.index)?.mean ?? null;
          if (q === undefined || mean === null) continue;
          points.push({ datasetId: row.datasetId, datasetName: row.datasetName, transferMethodName: row.transferMethodName, quality: q, benchmarkMean: mean });
        }
        points.sort((a, b) => ((a.datasetName ?? a.datasetId) < (b.datasetName ?? b.datasetId) ? -1 : 1));
        out.push({
          qualityMetric,
          benchmark: column.benchmark,
          metric: column.metric,
          rho: spearman(points.map((p) => p.quality), points.map((p) => p.benchmarkMean)),
          n: points.length,
          points,
        });
      }
    }
    return out;
  };
}
