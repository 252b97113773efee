// The leaderboard's rules over the aggregated groups (one per row, a few hundred
// at most): which std is shown, published rows, the average column, best per
// column, the baseline and its deltas, and a stable order.
import { createHash } from "node:crypto";
import type { LeaderboardCellRow, LeaderboardGroupRow } from "../../db/stores/leaderboard-store";
import { badInput } from "../../errors";
import type { ResolvedLeaderboard } from "./input";
import type { Leaderboard, LeaderboardCell, LeaderboardColumn, LeaderboardRow, LeaderboardRowSelector, MetricDirection, StdKind } from "./types";
import { nonStandardOf } from "../../domain/run-config";
import { canonicalJson } from "./canonical-json";
import { labelRows } from "./labels";

const EPSILON = 1e-12;

/** A short stable id of the row's group key (same grouping, same runs' keys -> same key). */
export function rowKey(group: LeaderboardGroupRow): string {
  const parts = [group.source, group.configDataset, group.configMethod, group.datasetId, group.params, group.group];
  return createHash("sha256").update(canonicalJson(parts)).digest("base64url").slice(0, 16);
}

/** How many keys a service remembers (rows of the largest boards, a few times over). */
const REMEMBERED_KEYS = 20_000;

/**
 * rowKey, remembered per service by the row's config identity (with its source, dataset
 * and group name): under the default grouping the identity fixes the config dataset,
 * method and params, so the key is the same and the canonical JSON and hash of a few
 * hundred rows are not redone on every request. Rows without an identity are hashed.
 */
export function createRowKeys(): (group: LeaderboardGroupRow) => string {
  const known = new Map<string, string>();
  return (group) => {
    if (group.configKey == null) return rowKey(group);
    const identity = JSON.stringify([group.source, group.datasetId, group.group, group.configKey]);
    let key = known.get(identity);
    if (key === undefined) {
      if (known.size >= REMEMBERED_KEYS) known.clear();
      key = rowKey(group);
      known.set(identity, key);
    }
    return key;
  };
}

/** "LFW: 300 of 6000 pairs" for each shown benchmark the row's values have off-protocol. */
function nonStandardNotes(group: LeaderboardGroupRow, cells: LeaderboardCell[], resolved: ResolvedLeaderboard): string[] {
  const what = nonStandardOf(group.params); // absent when the grouping left evaluate.nonStandard out
  const marked = [...new Set(resolved.columns.filter((c) => cells[c.index]?.nonStandard).map((c) => c.benchmark))];
  return marked.sort().map((benchmark) => `${benchmark}: ${what[benchmark] ?? "off the benchmark's protocol"}`);
}

function cellStd(cell: LeaderboardCellRow, std: StdKind): number | null {
  return std === "SAMPLE" ? cell.stdSamp : cell.stdPop;
}

function toRow(group: LeaderboardGroupRow, resolved: ResolvedLeaderboard, key: string): LeaderboardRow {
  // A single published run carries the paper's mean and std; how many runs the
  // paper averaged is unknown, so it reads as n = 1 with the stored std.
  const publishedSingle = group.source != null && group.runCount === 1;
  const byColumn = new Map(group.cells.map((c) => [c.column, c]));
  const cells: LeaderboardCell[] = resolved.columns.map((column) => {
    const cell = byColumn.get(column.index);
    if (!cell) return { column: column.index, n: 0, mean: null, std: null, stdFrom: "RUNS", runStd: null, best: false, delta: null, nonStandard: false };
    return {
      column: column.index,
      n: cell.n,
      mean: cell.mean,
      std: publishedSingle ? cell.storedStd : cellStd(cell, resolved.std),
      stdFrom: publishedSingle ? "PUBLISHED" : "RUNS",
      runStd: publishedSingle ? null : cell.storedStd,
      best: false,
      delta: null,
      nonStandard: cell.nonStandard,
    };
  });
  const anyNonStandard = cells.some((c) => c.nonStandard);

  let average: LeaderboardCell | null = null;
  if (resolved.average) {
    if (publishedSingle && group.publishedAverage) {
      // The paper's Avg column (the spread of per-run averages it does not print).
      const { value, std } = group.publishedAverage;
      average = { column: null, n: 1, mean: value, std, stdFrom: "PUBLISHED", runStd: null, best: false, delta: null, nonStandard: false };
    } else if (group.average) {
      average = {
        column: null,
        n: group.average.n,
        mean: group.average.mean,
        std: publishedSingle ? null : resolved.std === "SAMPLE" ? group.average.stdSamp : group.average.stdPop,
        stdFrom: publishedSingle ? "PUBLISHED" : "RUNS",
        runStd: null,
        best: false,
        delta: null,
        nonStandard: anyNonStandard,
      };
    } else {
      average = { column: null, n: 0, mean: null, std: null, stdFrom: "RUNS", runStd: null, best: false, delta: null, nonStandard: false };
    }
  }

  return {
    key,
    label: "", // set by labelRows once every row is known
    datasetId: group.datasetId,
    datasetName: group.datasetName,
    baseDatasetId: group.baseDatasetId,
    baseDatasetName: group.baseDatasetName,
    transferMethodId: group.transferMethodId,
    transferMethodName: group.methodName,
    kind: group.kind,
    requirement: group.requirement,
    params: group.params,
    group: group.group,
    nonStandard: anyNonStandard,
    nonStandardNotes: anyNonStandard ? nonStandardNotes(group, cells, resolved) : [],
    published: group.source != null,
    source: group.source,
    runCount: group.runCount,
    runIds: group.runIds,
    configKey: group.configKey,
    seeds: group.seeds,
    firstRunAt: group.firstAt,
    lastRunAt: group.lastAt,
    isBaseline: false,
    cells,
    average,
  };
}

/**
 * The average's std once the store read its spread (LeaderboardStore.averageSpreads, for
 * the rows shown only); a published single run keeps none, as in toRow.
 */
export function applyAverageSpread(row: LeaderboardRow, group: LeaderboardGroupRow, std: StdKind): void {
  if (!row.average || !group.average || row.average.stdFrom !== "RUNS") return;
  row.average.std = std === "SAMPLE" ? group.average.stdSamp : group.average.stdPop;
}

function better(direction: MetricDirection, a: number, b: number): boolean {
  return direction === "HIGHER_IS_BETTER" ? a > b + EPSILON : a < b - EPSILON;
}

/** Marks the best cell per column, per requirement class when asked; ties are all best. */
function markBest(rows: LeaderboardRow[], columns: LeaderboardColumn[], resolved: ResolvedLeaderboard): void {
  const skip = new Set(resolved.skipBestRequirements);
  const candidates = rows.filter((r) => !(r.requirement && skip.has(r.requirement)));
  const partitions = new Map<string, LeaderboardRow[]>();
  for (const row of candidates) {
    const key = resolved.bestScope === "PER_REQUIREMENT" ? String(row.requirement) : "all";
    const members = partitions.get(key);
    if (members) members.push(row);
    else partitions.set(key, [row]);
  }
  const mark = (members: LeaderboardRow[], cellOf: (r: LeaderboardRow) => LeaderboardCell | null, direction: MetricDirection) => {
    let best: number | null = null;
    // Off-protocol values (e.g. 300 LFW pairs) are never best beside full-size ones.
    for (const row of members) {
      const cell = cellOf(row);
      if (cell?.mean != null && !cell.nonStandard && (best == null || better(direction, cell.mean, best))) best = cell.mean;
    }
    if (best == null) return;
    for (const row of members) {
      const cell = cellOf(row);
      if (cell?.mean != null && !cell.nonStandard && Math.abs(cell.mean - best) <= EPSILON) cell.best = true;
    }
  };
  const directions = new Set(columns.map((c) => c.direction));
  for (const members of partitions.values()) {
    columns.forEach((column) => mark(members, (r) => r.cells[column.index]!, column.direction));
    if (resolved.average && directions.size === 1) mark(members, (r) => r.average, columns[0]!.direction);
  }
}

function matchesSelector(row: LeaderboardRow, selector: LeaderboardRowSelector): boolean {
  if (selector.dataset != null && row.datasetId !== selector.dataset && row.datasetName !== selector.dataset) return false;
  if (selector.transferMethod !== undefined) {
    if (selector.transferMethod === null ? row.transferMethodId != null : row.transferMethodId !== selector.transferMethod && row.transferMethodName !== selector.transferMethod) {
      return false;
    }
  }
  if (selector.published != null && row.published !== selector.published) return false;
  if (selector.group != null && row.group !== selector.group) return false;
  if (selector.params) {
    for (const [k, v] of Object.entries(selector.params)) {
      if (canonicalJson(row.params?.[k]) !== canonicalJson(v)) return false;
    }
  }
  return true;
}

function findBaseline(rows: LeaderboardRow[], selector: LeaderboardRowSelector): LeaderboardRow {
  if (selector.key) {
    const row = rows.find((r) => r.key === selector.key);
    if (!row) throw badInput("baseline.key", `no row of this leaderboard has key ${JSON.stringify(selector.key)}`);
    return row;
  }
  const given = Object.entries(selector).filter(([, v]) => v !== undefined);
  if (given.length === 0) throw badInput("baseline", "give a row key or fields that pick one row");
  const matches = rows.filter((r) => matchesSelector(r, selector));
  if (matches.length === 0) throw badInput("baseline", `no row matches ${JSON.stringify(selector)}`);
  if (matches.length > 1) {
    throw badInput("baseline", `${matches.length} rows match ${JSON.stringify(selector)}: ${matches.map((r) => JSON.stringify(r.label)).join(", ")}; give its key`);
  }
  return matches[0]!;
}

function applyBaseline(rows: LeaderboardRow[], baseline: LeaderboardRow): void {
  baseline.isBaseline = true;
  const delta = (cell: LeaderboardCell | null, base: LeaderboardCell | null) => {
    if (cell && cell.mean != null && base?.mean != null) cell.delta = cell.mean - base.mean;
  };
  for (const row of rows) {
    row.cells.forEach((cell, i) => delta(cell, baseline.cells[i]!));
    delta(row.average, baseline.average);
  }
}

function sortRows(rows: LeaderboardRow[], resolved: ResolvedLeaderboard): LeaderboardRow[] {
  const { field = "FIRST_RUN", column, direction } = resolved.orderBy;
  const position = new Map(rows.map((r, i) => [r, i])); // store order: first run, then group key
  let value: ((r: LeaderboardRow) => number | null) | null = null;
  let natural: MetricDirection = "HIGHER_IS_BETTER";
  if (field === "AVERAGE") {
    value = (r) => r.average?.mean ?? null;
    natural = resolved.columns[0]!.direction;
  } else if (field === "COLUMN") {
    value = (r) => r.cells[column!]!.mean;
    natural = resolved.columns[column!]!.direction;
  }
  // Value orders default to best first.
  const descending = direction ? direction === "DESC" : value ? natural === "HIGHER_IS_BETTER" : false;
  const sign = descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    let order = 0;
    if (value) {
      const va = value(a);
      const vb = value(b);
      if (va == null || vb == null) order = va == null ? (vb == null ? 0 : 1) : -1; // nulls last
      else order = sign * (va - vb);
    } else if (field === "LABEL") {
      order = sign * (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);
    } else {
      order = sign * (position.get(a)! - position.get(b)!);
    }
    return order || position.get(a)! - position.get(b)!;
  });
}

/** The board over the store's groups; `keys[i]` is groups[i]'s row key (rowKey). */
export function buildLeaderboard(groups: LeaderboardGroupRow[], resolved: ResolvedLeaderboard, keys: string[] = groups.map(rowKey)): Leaderboard {
  const rows = groups.map((g, i) => toRow(g, resolved, keys[i]!));
  const groupOf = new Map(rows.map((row, i) => [row, groups[i]!]));
  const labelKeys = labelRows(rows, (row) => ({
    dataset: groupOf.get(row)!.configDataset,
    method: groupOf.get(row)!.configMethod,
    grouped: { dataset: resolved.groupBy.dataset },
  }));
  markBest(rows, resolved.columns, resolved);
  const baseline = resolved.baseline ? findBaseline(rows, resolved.baseline) : null;
  if (baseline) applyBaseline(rows, baseline);
  const sorted = sortRows(rows, resolved);
  return {
    columns: resolved.columns,
    rows: sorted,
    totalRows: sorted.length,
    pageInfo: { hasNextPage: false, endCursor: sorted.at(-1)?.key ?? null },
    baseline,
    std: resolved.std,
    displayScale: 100,
    groupBy: resolved.groupBy,
    labelKeys,
    hasAverage: resolved.average,
    bestScope: resolved.bestScope,
    skipBestRequirements: resolved.skipBestRequirements,
  };
}
