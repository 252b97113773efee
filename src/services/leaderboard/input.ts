// Turns a leaderboard request (GraphQL args or HTTP query) into a validated store
// query: presets expanded, benchmarks / datasets / methods resolved to ids,
// grouping defaults applied. Messages name the field and the value that was wrong.
import { ACCURACY, averageOf, tarAtFmr } from "../../domain/metric-names";
import { defaultDirection } from "../../domain/metric-direction";
import type { Stores } from "../../db/stores";
import type { LeaderboardGrouping, LeaderboardQuery, LeaderboardScope } from "../../db/stores/leaderboard-store";
import type { Benchmark } from "../../generated/prisma/client";
import { badInput } from "../../errors";
import { CONFIG_KEY_PATTERN, SEED_KEYS } from "../../domain/run-config";
import { PRESETS } from "./presets";
import type {
  BestScope,
  LeaderboardColumn,
  LeaderboardGroupingInfo,
  LeaderboardInput,
  LeaderboardOrderInput,
  LeaderboardRowSelector,
  MetricAggregate,
  MetricDirection,
  StdKind,
} from "./types";
import type { Requirement } from "../../generated/prisma/enums";
import type { ColumnAggregate } from "../../db/stores/leaderboard-summary-sql";

export const MAX_COLUMNS = 50;
const MAX_PARAMS = 20;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ResolvedLeaderboard {
  query: LeaderboardQuery;
  columns: LeaderboardColumn[];
  groupBy: LeaderboardGroupingInfo;
  std: StdKind;
  average: boolean;
  bestScope: BestScope;
  skipBestRequirements: Requirement[];
  baseline: LeaderboardRowSelector | null;
  orderBy: LeaderboardOrderInput;
}

/** The run x metric summary's value a column reads: BEST is the max or min by direction. */
function summaryAggregate(column: LeaderboardColumn): ColumnAggregate {
  if (column.aggregate === "BEST") return column.direction === "LOWER_IS_BETTER" ? "MIN" : "MAX";
  return column.aggregate;
}

export { defaultDirection } from "../../domain/metric-direction";

/** The metric a benchmark is usually read by: accuracy for 10-fold pairs, TAR@FMR=1e-4 on IJB-C. */
function defaultMetric(benchmark: Benchmark): string {
  return benchmark.protocol === "PAIRS_10FOLD" ? ACCURACY : tarAtFmr(1e-4);
}

function metricLabel(metric: string): string {
  if (metric.startsWith("tar@fmr=")) return metric.toUpperCase().replace("E-", "e-");
  if (metric === ACCURACY) return "Accuracy";
  return metric;
}

function distinct<T>(values: readonly T[]): number {
  return new Set(values).size;
}

export async function resolveLeaderboardInput(stores: Stores, input: LeaderboardInput): Promise<ResolvedLeaderboard> {
  const preset = input.preset ? PRESETS[input.preset] : null;

  // Columns: explicit columns > benchmarks + metric > preset > every 10-fold benchmark.
  const benchmarks = await stores.catalogue.listBenchmarks();
  const byName = new Map(benchmarks.map((b) => [b.name, b]));
  const requireBenchmark = (field: string, name: string) => {
    const found = byName.get(name);
    if (!found) {
      throw badInput(field, `unknown benchmark ${JSON.stringify(name)} (known: ${benchmarks.map((b) => b.name).join(", ")})`);
    }
    return found;
  };
  let columnInputs: { field: string; benchmark: Benchmark; metric: string; label?: string | null; direction?: MetricDirection | null; aggregate?: MetricAggregate | null }[];
  if (input.columns?.length) {
    columnInputs = input.columns.map((c, i) => {
      const benchmark = requireBenchmark(`columns[${i}].benchmark`, c.benchmark);
      return { field: `columns[${i}]`, benchmark, metric: c.metric?.trim() || defaultMetric(benchmark), label: c.label, direction: c.direction, aggregate: c.aggregate };
    });
  } else if (input.benchmarks?.length) {
    columnInputs = input.benchmarks.map((name, i) => {
      const benchmark = requireBenchmark(`benchmarks[${i}]`, name);
      return { field: `benchmarks[${i}]`, benchmark, metric: input.metric?.trim() || defaultMetric(benchmark) };
    });
  } else if (preset) {
    columnInputs = preset.columns.map((c, i) => ({
      field: `preset.columns[${i}]`,
      benchmark: requireBenchmark("preset", c.benchmark),
      metric: c.metric!,
      label: c.label,
    }));
  } else {
    columnInputs = benchmarks
      .filter((b) => b.protocol === "PAIRS_10FOLD")
      .map((benchmark, i) => ({ field: `benchmarks[${i}]`, benchmark, metric: input.metric?.trim() || ACCURACY }));
  }
  if (columnInputs.length === 0) throw badInput("columns", "give at least one benchmark");
  if (columnInputs.length > MAX_COLUMNS) throw badInput("columns", `at most ${MAX_COLUMNS} columns, got ${columnInputs.length}`);
  const seen = new Set<string>();
  for (const c of columnInputs) {
    const id = `${c.benchmark.name}\u0000${c.metric}`;
    if (seen.has(id)) throw badInput(c.field, `column ${c.benchmark.name} / ${c.metric} is given twice`);
    seen.add(id);
  }
  const oneMetric = distinct(columnInputs.map((c) => c.metric)) === 1;
  const oneBenchmark = distinct(columnInputs.map((c) => c.benchmark.name)) === 1 && columnInputs.length > 1;
  const columns: LeaderboardColumn[] = columnInputs.map((c, index) => ({
    index,
    benchmarkId: c.benchmark.id,
    benchmark: c.benchmark.name,
    metric: c.metric,
    label:
      c.label?.trim() ||
      (oneBenchmark ? metricLabel(c.metric) : oneMetric ? c.benchmark.name : `${c.benchmark.name} ${metricLabel(c.metric)}`),
    direction: c.direction ?? defaultDirection(c.metric),
    aggregate: c.aggregate ?? "LAST",
  }));

  // Grouping: by default the effective configuration without its seeds.
  const g = input.groupBy ?? {};
  const checkParams = (field: string, keys: string[]) => {
    if (keys.length > MAX_PARAMS) throw badInput(field, `at most ${MAX_PARAMS} config keys`);
    keys.forEach((k, i) => {
      if (!CONFIG_KEY_PATTERN.test(k)) {
        throw badInput(`${field}[${i}]`, `${JSON.stringify(k.slice(0, 120))} is not a config key (e.g. train.epochs, transfer.fidelityWeight)`);
      }
    });
    return [...new Set(keys)];
  };
  const onlyParams = g.params != null ? checkParams("groupBy.params", g.params) : null;
  const exceptParams = onlyParams ? null : checkParams("groupBy.exceptParams", g.exceptParams ?? [...SEED_KEYS]);
  const grouping: LeaderboardGrouping = {
    dataset: g.dataset ?? true,
    trainingDataset: g.trainingDataset ?? false,
    transferMethod: g.transferMethod ?? true,
    params: onlyParams ? { only: onlyParams } : { except: exceptParams! },
    group: g.group ?? false,
  };

  // Scope.
  const f = input.filter ?? {};
  const scope: LeaderboardScope = {};
  if (f.requirement) scope.requirements = [...f.requirement];
  if (f.datasetKind) scope.kinds = [...f.datasetKind];
  if (f.published != null) scope.published = f.published;
  if (f.finishedAfter) scope.finishedAfter = f.finishedAfter;
  if (f.finishedBefore) scope.finishedBefore = f.finishedBefore;
  if (f.finishedAfter && f.finishedBefore && f.finishedAfter >= f.finishedBefore) {
    throw badInput("filter.finishedBefore", `must be after finishedAfter (${f.finishedAfter.toISOString()})`);
  }
  if (f.datasets) scope.datasetIds = await resolveDatasets(stores, f.datasets);
  if (f.transferMethods) scope.transferMethodIds = await resolveMethods(stores, f.transferMethods);

  const average = (input.average ?? preset?.average ?? true) && columns.length > 1;
  const best = input.best ?? preset?.best ?? {};
  const orderBy: LeaderboardOrderInput = input.orderBy ?? { field: "FIRST_RUN" };
  if (orderBy.field === "COLUMN") {
    const c = orderBy.column;
    if (c == null || !Number.isInteger(c) || c < 0 || c >= columns.length) {
      throw badInput("orderBy.column", `must be a column index 0..${columns.length - 1}, got ${c ?? "nothing"}`);
    }
  }
  if (orderBy.field === "AVERAGE" && !average) throw badInput("orderBy.field", "AVERAGE needs the average column (two or more columns)");

  const metric = columns[0]!.metric;
  return {
    query: {
      columns: columns.map((c) => ({ benchmarkId: c.benchmarkId, name: c.metric, aggregate: summaryAggregate(c) })),
      grouping,
      scope,
      publishedAverage: average && oneMetric ? { name: averageOf(metric), metric } : null,
    },
    columns,
    groupBy: {
      dataset: grouping.dataset,
      trainingDataset: grouping.trainingDataset ?? false,
      transferMethod: grouping.transferMethod,
      params: onlyParams,
      exceptParams,
      group: grouping.group,
    },
    std: input.std ?? "POPULATION",
    average,
    bestScope: best.scope ?? "ALL",
    skipBestRequirements: [...(best.skipRequirements ?? [])],
    baseline: input.baseline ?? null,
    orderBy,
  };
}

async function resolveDatasets(stores: Stores, refs: string[]): Promise<string[]> {
  const all = await stores.catalogue.listDatasets();
  return refs.map((ref, i) => {
    const found = all.find((d) => (UUID.test(ref) && d.id === ref.toLowerCase()) || d.name === ref);
    if (!found) throw badInput(`filter.datasets[${i}]`, `unknown dataset ${JSON.stringify(ref)}`);
    return found.id;
  });
}

async function resolveMethods(stores: Stores, refs: string[]): Promise<string[]> {
  const all = await stores.catalogue.listMethods();
  return refs.map((ref, i) => {
    const found = all.find((m) => (UUID.test(ref) && m.id === ref.toLowerCase()) || m.name === ref);
    if (!found) throw badInput(`filter.transferMethods[${i}]`, `unknown transfer method ${JSON.stringify(ref)}`);
    return found.id;
  });
}
