// Short human labels of leaderboard rows: the base dataset, the transfer method, and
// the config values that differ between the board's own rows (short key names:
// `epochs=3`, `fidelityWeight=0.5`). Never paths, ids or evaluation mechanics: those
// are not in a run's config (src/domain/run-config.ts).
import { configValueText, NON_STANDARD_KEY, shortKeyNames } from "../../domain/run-config";
import type { LeaderboardRow } from "./types";
import { canonicalJson } from "./canonical-json";

/** What a label needs of a row besides its params. */
export interface LabelParts {
  dataset: string | null;
  method: string | null;
  grouped: { dataset: boolean };
}

const present = (row: LeaderboardRow, key: string) => row.params?.[key] !== undefined && row.params?.[key] !== null;

/**
 * Config keys whose values differ between the board's own rows (published rows' params
 * are bookkeeping): first the keys with two or more values among the rows that have
 * them; then, for rows whose labels would still be equal, the keys only some of them have.
 */
function labelKeys(rows: readonly LeaderboardRow[], base: (row: LeaderboardRow) => string): string[] {
  const own = rows.filter((r) => !r.published && r.params);
  const all = [...new Set(own.flatMap((r) => Object.keys(r.params!)))].filter((k) => k !== NON_STANDARD_KEY).sort();
  const keys = all.filter((k) => new Set(own.filter((r) => present(r, k)).map((r) => canonicalJson(r.params![k]))).size > 1);
  const text = (row: LeaderboardRow, ks: string[]) => `${base(row)}|${ks.map((k) => (present(row, k) ? canonicalJson(row.params![k]) : "")).join("|")}`;
  const byText = new Map<string, LeaderboardRow[]>();
  for (const row of own) {
    const t = text(row, keys);
    const same = byText.get(t);
    if (same) same.push(row);
    else byText.set(t, [row]);
  }
  const extra = new Set<string>();
  for (const same of byText.values()) {
    if (same.length < 2) continue;
    for (const k of all) if (!keys.includes(k) && new Set(same.map((r) => present(r, k))).size > 1) extra.add(k);
  }
  return [...keys, ...extra].sort();
}

/** Header names of config keys: the last segment unless two keys share it. */
export function paramHeaders(keys: readonly string[]): Map<string, string> {
  return shortKeyNames(keys);
}

function baseLabel(row: LeaderboardRow, parts: LabelParts): string {
  const dataset = parts.dataset ?? row.baseDatasetName ?? row.datasetName ?? (parts.grouped.dataset ? "?" : "all datasets");
  const method = parts.method ?? row.transferMethodName;
  return method ? `${method} on ${dataset}` : dataset;
}

/**
 * Sets each row's label; `partsOf` gives the row's config dataset and method. Returns
 * the config keys the labels show (the exports' parameter columns).
 */
export function labelRows(rows: LeaderboardRow[], partsOf: (row: LeaderboardRow) => LabelParts): string[] {
  const bases = new Map(rows.map((r) => [r, baseLabel(r, partsOf(r))]));
  const keys = labelKeys(rows, (r) => bases.get(r)!);
  const names = paramHeaders(keys);
  for (const row of rows) {
    let label = bases.get(row)!;
    if (!row.published) {
      const shown = keys.filter((k) => present(row, k)).map((k) => `${names.get(k)}=${configValueText(row.params![k])}`);
      if (shown.length) label += ` (${shown.join(", ")})`;
    }
    if (row.group) label += ` [${row.group}]`;
    if (row.published) label += " (published)";
    row.label = label;
  }
  return keys;
}
