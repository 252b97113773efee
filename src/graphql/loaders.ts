// DataLoaders, built fresh for each request (src/graphql/context.ts), so every
// relation in a nested query costs one query per level, not one per row.
import DataLoader from "dataloader";
import type { Stores } from "../db/stores";
import type { MetricAggregateRef } from "../db/stores/run-list-sql";
import type { MetricPoint } from "../db/stores/metrics-store";
import type { Benchmark } from "../generated/prisma/client";

function byKey<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): (V | null)[] {
  const map = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => map.get(key) ?? null);
}

function groupByKey<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): V[][] {
  const map = new Map<K, V[]>(keys.map((key) => [key, []]));
  for (const row of rows) map.get(keyOf(row))?.push(row);
  return keys.map((key) => map.get(key) ?? []);
}

export interface MetricsKey {
  runId: string;
  /** undefined: any benchmark; null: metrics without a benchmark. */
  benchmarkId?: string | null;
  name?: string | null;
}

/**
 * `cache: false` for subscriptions: their context lives as long as the
 * subscription, and a cached row would go stale between events.
 */
export function createLoaders(stores: Stores, options: { cache?: boolean } = {}) {
  const { catalogue, runs, metrics } = stores;
  const cache = options.cache ?? true;
  const make = <K, V>(batch: DataLoader.BatchLoadFn<K, V>) => new DataLoader<K, V>(batch, { cache });
  /**
   * A loader by id that also answers synchronously (`peek`) for ids it has already loaded
   * in this request: thousands of leaderboard rows naming a handful of datasets then resolve
   * without a promise each. `peek` is undefined for an id not loaded yet (or when uncached).
   */
  const peekable = <V>(batch: (ids: readonly string[]) => Promise<(V | null)[]>) => {
    const loaded = new Map<string, V | null>();
    const loader = make<string, V | null>(async (ids) => {
      const rows = await batch(ids);
      if (cache) ids.forEach((id, i) => loaded.set(id, rows[i]!));
      return rows;
    });
    return { loader, peek: (id: string) => loaded.get(id) };
  };
  const datasets = peekable(async (ids) => byKey(ids, await catalogue.datasetsByIds(ids), (r) => r.id));
  const methods = peekable(async (ids) => byKey(ids, await catalogue.methodsByIds(ids), (r) => r.id));
  let benchmarks: ReturnType<typeof catalogue.listBenchmarks> | null = null;
  const allBenchmarks = () => (cache ? (benchmarks ??= catalogue.listBenchmarks()) : catalogue.listBenchmarks());
  let benchmarkMap: Promise<Map<string, Benchmark>> | null = null;
  const readBenchmarksById = () => allBenchmarks().then((list) => new Map(list.map((b) => [b.id, b])));
  const benchmarksById = () => (cache ? (benchmarkMap ??= readBenchmarksById()) : readBenchmarksById());
  return {
    /** Every benchmark by id, read once per request (uncached: per call). */
    benchmarksById,
    /**
     * Starts that read now, to run alongside another query (a no-op when uncached). A failure
     * is left to whoever awaits benchmarksById; the catch only keeps it from going unhandled.
     */
    prefetchBenchmarks: () => {
      if (cache) benchmarksById().catch(() => undefined);
    },
    dataset: datasets.loader,
    /** A dataset already loaded in this request, without a promise (see peekable). */
    loadedDataset: datasets.peek,
    derivedDatasets: make(async (ids: readonly string[]) =>
      groupByKey(ids, await catalogue.datasetsBySourceIds(ids), (r) => r.sourceDatasetId!),
    ),
    outputDataset: make(async (runIds: readonly string[]) =>
      byKey(runIds, await catalogue.datasetsByProducingRunIds(runIds), (r) => r.producedByRunId!),
    ),
    transferMethod: methods.loader,
    /** A transfer method already loaded in this request, without a promise (see peekable). */
    loadedTransferMethod: methods.peek,
    faceModel: make(async (ids: readonly string[]) => byKey(ids, await catalogue.faceModelsByIds(ids), (r) => r.id)),
    outputFaceModel: make(async (runIds: readonly string[]) =>
      byKey(runIds, await catalogue.faceModelsByProducingRunIds(runIds), (r) => r.producedByRunId!),
    ),
    // Benchmarks are a small catalogue: one read per request serves every lookup,
    // by id or by name, whenever in the request it happens.
    benchmark: make(async (ids: readonly string[]) => {
      const byId = await benchmarksById();
      return ids.map((id) => byId.get(id) ?? null);
    }),
    benchmarkByName: make(async (names: readonly string[]) => byKey(names, await allBenchmarks(), (r) => r.name)),
    run: make(async (ids: readonly string[]) => byKey(ids, await runs.byIds(ids), (r) => r.id)),
    curves: make(async (runIds: readonly string[]) =>
      groupByKey(runIds, await metrics.curvesByRunIds(runIds), (r) => r.runId),
    ),
    /** Every metric summary of a run (one row per metric); one query for all the runs. */
    metricSummaries: make(async (runIds: readonly string[]) =>
      groupByKey(runIds, await metrics.summariesForRuns(runIds), (r) => r.runId),
    ),
    /** Metrics per run; keys with the same filter are fetched in one query. */
    metrics: new DataLoader<MetricsKey, MetricPoint[], string>(
      async (keys) => {
        const byFilter = new Map<string, MetricsKey[]>();
        for (const key of keys) {
          const filter = JSON.stringify([key.benchmarkId, key.name ?? null]);
          byFilter.set(filter, [...(byFilter.get(filter) ?? []), key]);
        }
        const found = new Map<MetricsKey, MetricPoint[]>();
        await Promise.all(
          [...byFilter.values()].map(async (group) => {
            const { benchmarkId, name } = group[0]!;
            const rows = await metrics.findForRuns(
              group.map((k) => k.runId),
              { ...(benchmarkId !== undefined ? { benchmarkId } : {}), name: name ?? null },
            );
            groupByKey(group.map((k) => k.runId), rows, (r) => r.runId).forEach((list, i) => found.set(group[i]!, list));
          }),
        );
        return keys.map((key) => found.get(key) ?? []);
      },
      { cache, cacheKeyFn: (key) => JSON.stringify([key.runId, key.benchmarkId, key.name ?? null]) },
    ),
    /** A metric aggregate per run (runs-table columns); one query per distinct column. */
    metricAggregate: new DataLoader<{ runId: string; ref: MetricAggregateRef }, number | null, string>(
      async (keys) => {
        const byColumn = new Map<string, { ref: MetricAggregateRef; runIds: string[] }>();
        for (const { runId, ref } of keys) {
          const column = JSON.stringify(ref);
          const entry = byColumn.get(column) ?? { ref, runIds: [] };
          entry.runIds.push(runId);
          byColumn.set(column, entry);
        }
        const values = new Map<string, number>();
        await Promise.all(
          [...byColumn].map(async ([column, { ref, runIds }]) => {
            for (const row of await metrics.aggregateForRuns(runIds, ref)) values.set(`${column}|${row.run_id}`, row.value);
          }),
        );
        return keys.map(({ runId, ref }) => values.get(`${JSON.stringify(ref)}|${runId}`) ?? null);
      },
      { cache, cacheKeyFn: (key) => `${JSON.stringify(key.ref)}|${key.runId}` },
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
