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

/** Config keys of own rows whose values differ between rows (published rows' params are bookkeeping). */
export function distinguishingParams(rows: readonly LeaderboardRow[]): string[] {
  const own = rows.filter((r) => !r.published && r.params);
  const keys = [...new Set(own.flatMap((r) => Object.keys(r.params!)))].filter((k) => k !== NON_STANDARD_KEY).sort();
  return keys.filter((k) => new Set(own.map((r) => canonicalJson(r.params![k] ?? null))).size > 1);
}

/** Header names of those keys: the last segment unless two keys share it. */
export function paramHeaders(keys: readonly string[]): Map<string, string> {
  return shortKeyNames(keys);
}

function baseLabel(row: LeaderboardRow, parts: LabelParts): string {
  const dataset = parts.dataset ?? row.baseDatasetName ?? row.datasetName ?? (parts.grouped.dataset ? "?" : "all datasets");
  const method = parts.method ?? row.transferMethodName;
  return method ? `${method} on ${dataset}` : dataset;
}

/** Sets each row's label; `partsOf` gives the row's config dataset and method. */
export function labelRows(rows: LeaderboardRow[], partsOf: (row: LeaderboardRow) => LabelParts): void {
  const keys = distinguishingParams(rows);
  const names = paramHeaders(keys);
  for (const row of rows) {
    let label = baseLabel(row, partsOf(row));
    if (!row.published) {
      const shown = keys
        .filter((k) => row.params && row.params[k] !== undefined && row.params[k] !== null)
        .map((k) => `${names.get(k)}=${configValueText(row.params![k])}`);
      if (shown.length) label += ` (${shown.join(", ")})`;
    }
    if (row.group) label += ` [${row.group}]`;
    if (row.published) label += " (published)";
    row.label = label;
  }
}
