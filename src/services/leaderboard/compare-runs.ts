// compareRuns: runs side by side. The effective configurations (run.config: own
// params plus lineage, src/domain/run-config.ts) and the runs' own params are
// flattened to dotted keys, each key saying whether the runs differ on it; metrics are each run's latest value per
// (benchmark, name); curves and training histories are read per run on demand.
import type { Stores } from "../../db/stores";
import type { LatestMetricRow } from "../../db/stores/leaderboard-store";
import type { MetricPoint } from "../../db/stores/metrics-store";
import type { Run } from "../../generated/prisma/client";
import { badInput, notFound } from "../../errors";
import { canonicalJson } from "./canonical-json";

export const MAX_COMPARED_RUNS = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ValueComparison {
  key: string;
  /** One value per run, in the order of the ids asked for (null where a run lacks it). */
  values: unknown[];
  differs: boolean;
}

export interface MetricComparison {
  benchmarkId: string | null;
  name: string;
  values: Array<{ runId: string; value: number | null; std: number | null; step: number | null }>;
  differs: boolean;
}

/** One run's history of one metric (a training curve) in a comparison. */
export interface RunMetricHistory {
  run: Run;
  name: string;
  benchmarkId: string | null;
  points: MetricPoint[];
}

export interface RunComparison {
  runs: Run[];
  /** The effective configurations side by side. */
  params: ValueComparison[];
  differingParams: string[];
  /** The runs' own params (evaluation mechanics included) side by side. */
  ownParams: ValueComparison[];
  settings: ValueComparison[];
  metrics: MetricComparison[];
  /** (benchmark, name) pairs with more than one step in some run: training curves. */
  histories: Array<{ benchmarkId: string | null; name: string }>;
}

/** {optimizer: {lr: 0.1}} -> {"optimizer.lr": 0.1}; arrays stay values. */
export function flattenParams(value: unknown, prefix = "", out: Record<string, unknown> = {}): Record<string, unknown> {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) out[prefix] = {};
    for (const [k, v] of entries) flattenParams(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out[prefix] = value;
  }
  return out;
}

function compareValues(keys: string[], rows: Record<string, unknown>[]): ValueComparison[] {
  return keys.map((key) => {
    const values = rows.map((r) => (key in r ? r[key] : null));
    return { key, values, differs: new Set(values.map((v) => canonicalJson(v))).size > 1 };
  });
}

export interface RunGroupComparison {
  totalCount: number;
  offset: number;
  hasNextPage: boolean;
  runIds: string[];
  comparison: RunComparison;
}

/** compareRunGroup's arguments: a default-grouping row and a page of its runs. */
export interface RunGroupPage {
  configKey: string;
  source?: string | null;
  group?: string | null;
  first?: number | null;
  offset?: number | null;
}

const CONFIG_KEY = /^[0-9a-f]{32}$/;

/** A leaderboard row's runs a page at a time, so rows of thousands of runs compare too. */
export function createRunGroupComparison(stores: Stores, compareRuns: ReturnType<typeof createRunComparison>) {
  return async function compareRunGroup(args: RunGroupPage, groupGiven: boolean): Promise<RunGroupComparison> {
    if (!CONFIG_KEY.test(args.configKey)) throw badInput("configKey", "a row's configKey: 32 hex digits");
    const first = args.first ?? MAX_COMPARED_RUNS;
    if (!Number.isInteger(first) || first < 1 || first > MAX_COMPARED_RUNS) throw badInput("first", `1..${MAX_COMPARED_RUNS}, got ${first}`);
    const offset = args.offset ?? 0;
    if (!Number.isInteger(offset) || offset < 0 || offset > 10_000_000) throw badInput("offset", `0..10000000, got ${offset}`);
    if (args.source != null && args.source.length > 1000) throw badInput("source", "at most 1000 characters");
    if (args.group != null && args.group.length > 200) throw badInput("group", "at most 200 characters");
    const { ids, total } = await stores.leaderboard.groupRuns(
      { configKey: args.configKey, source: args.source ?? null, ...(groupGiven ? { group: args.group ?? null } : {}) },
      { limit: first, offset },
    );
    if (ids.length === 0) throw notFound("leaderboard row", args.configKey);
    return { totalCount: total, offset, hasNextPage: offset + ids.length < total, runIds: ids, comparison: await compareRuns(ids) };
  };
}

export function createRunComparison(stores: Stores) {
  return async function compareRuns(ids: readonly string[]): Promise<RunComparison> {
    if (ids.length === 0) throw badInput("ids", "give at least one run id");
    if (ids.length > MAX_COMPARED_RUNS) throw badInput("ids", `at most ${MAX_COMPARED_RUNS} runs, got ${ids.length}`);
    const unique = [...new Set(ids)];
    if (unique.length !== ids.length) throw badInput("ids", "a run is listed twice");
    const malformed = ids.find((id) => !UUID.test(id));
    if (malformed) throw notFound("run", malformed);
    const found = new Map((await stores.runs.byIds(ids)).map((r) => [r.id, r]));
    const missing = ids.find((id) => !found.has(id));
    if (missing) throw notFound("run", missing);
    const runs = ids.map((id) => found.get(id)!);

    const sideBySide = (values: unknown[]) => {
      const flat = values.map((v) => flattenParams(v));
      return compareValues([...new Set(flat.flatMap((p) => Object.keys(p)))].sort(), flat);
    };
    const params = sideBySide(runs.map((r) => r.config));
    const ownParams = sideBySide(runs.map((r) => r.params));

    const settingRows = runs.map((r) => ({
      kind: r.kind,
      status: r.status,
      seed: r.seed,
      group: r.group,
      datasetId: r.datasetId,
      transferMethodId: r.transferMethodId,
      faceModelId: r.faceModelId,
      device: r.device,
      source: r.source,
    }));
    const settings = compareValues(Object.keys(settingRows[0]!), settingRows);

    const latest = await stores.leaderboard.latestMetrics(ids);
    const byKey = new Map<string, { benchmarkId: string | null; name: string; perRun: Map<string, LatestMetricRow> }>();
    const histories = new Map<string, { benchmarkId: string | null; name: string }>();
    for (const row of latest) {
      const key = `${row.benchmarkId ?? ""}\u0000${row.name}`;
      const entry = byKey.get(key) ?? { benchmarkId: row.benchmarkId, name: row.name, perRun: new Map() };
      entry.perRun.set(row.runId, row);
      byKey.set(key, entry);
      if (row.points > 1) histories.set(key, { benchmarkId: row.benchmarkId, name: row.name });
    }
    const benchmarkNames = new Map((await stores.catalogue.listBenchmarks()).map((b) => [b.id, b.name]));
    const sortKey = (e: { benchmarkId: string | null; name: string }) => [e.benchmarkId ? benchmarkNames.get(e.benchmarkId) ?? "" : "", e.name] as const;
    const ordered = [...byKey.values()].sort((a, b) => {
      const [ba, na] = sortKey(a);
      const [bb, nb] = sortKey(b);
      return ba !== bb ? (ba < bb ? -1 : 1) : na < nb ? -1 : na > nb ? 1 : 0;
    });
    const metrics = ordered.map((entry) => {
      const values = ids.map((runId) => {
        const m = entry.perRun.get(runId);
        return { runId, value: m?.value ?? null, std: m?.std ?? null, step: m?.step ?? null };
      });
      return { benchmarkId: entry.benchmarkId, name: entry.name, values, differs: new Set(values.map((v) => v.value)).size > 1 };
    });

    return {
      runs,
      params,
      differingParams: params.filter((p) => p.differs).map((p) => p.key),
      ownParams,
      settings,
      metrics,
      histories: [...histories.values()].sort((a, b) => {
        const [ba, na] = sortKey(a);
        const [bb, nb] = sortKey(b);
        return ba !== bb ? (ba < bb ? -1 : 1) : na < nb ? -1 : na > nb ? 1 : 0;
      }),
    };
  };
}
