// The leaderboard's inputs (as the GraphQL API and the HTTP export route give
// them) and the computed table.
import type { DatasetKind, Requirement } from "../../generated/prisma/enums";

export type StdKind = "POPULATION" | "SAMPLE";
export type MetricDirection = "HIGHER_IS_BETTER" | "LOWER_IS_BETTER";
export type LeaderboardPreset = "PAPER_TABLE_2" | "PAPER_TABLE_3";
export type BestScope = "ALL" | "PER_REQUIREMENT";
export type LeaderboardOrderField = "FIRST_RUN" | "LABEL" | "AVERAGE" | "COLUMN";
export type SortDirection = "ASC" | "DESC";
/** RUNS: spread over the row's runs. PUBLISHED: the paper's std, copied (its number of runs is unknown; n = 1). */
export type StdSource = "RUNS" | "PUBLISHED";
export type ExportFormat = "CSV" | "MARKDOWN" | "LATEX";

/** Which value of each run's points a column shows (BEST: MAX or MIN by the column's direction). */
export type MetricAggregate = "LAST" | "BEST" | "MIN" | "MAX" | "MEAN";

export interface LeaderboardColumnInput {
  benchmark: string;
  metric?: string | null;
  label?: string | null;
  direction?: MetricDirection | null;
  aggregate?: MetricAggregate | null;
}

export interface LeaderboardGroupByInput {
  dataset?: boolean | null;
  trainingDataset?: boolean | null;
  transferMethod?: boolean | null;
  /** Exactly these config keys split rows; null: every config key except `exceptParams` (default: the seeds). */
  params?: string[] | null;
  exceptParams?: string[] | null;
  group?: boolean | null;
}

export interface LeaderboardFilterInput {
  requirement?: Requirement[] | null;
  datasetKind?: DatasetKind[] | null;
  published?: boolean | null;
  finishedAfter?: Date | null;
  finishedBefore?: Date | null;
  datasets?: string[] | null;
  transferMethods?: string[] | null;
}

/** Picks one row: by its key, or by the fields given (an explicit null transferMethod means "no method"). */
export interface LeaderboardRowSelector {
  key?: string | null;
  dataset?: string | null;
  transferMethod?: string | null;
  published?: boolean | null;
  group?: string | null;
  params?: Record<string, unknown> | null;
}

export interface LeaderboardBestInput {
  scope?: BestScope | null;
  /** Rows with these requirements are never marked best (the paper leaves PRETRAINED_FR unmarked). */
  skipRequirements?: Requirement[] | null;
}

export interface LeaderboardOrderInput {
  field?: LeaderboardOrderField | null;
  column?: number | null;
  direction?: SortDirection | null;
}

export interface LeaderboardInput {
  preset?: LeaderboardPreset | null;
  benchmarks?: string[] | null;
  metric?: string | null;
  columns?: LeaderboardColumnInput[] | null;
  groupBy?: LeaderboardGroupByInput | null;
  filter?: LeaderboardFilterInput | null;
  baseline?: LeaderboardRowSelector | null;
  std?: StdKind | null;
  best?: LeaderboardBestInput | null;
  average?: boolean | null;
  orderBy?: LeaderboardOrderInput | null;
}

export interface LeaderboardColumn {
  index: number;
  benchmarkId: string;
  benchmark: string;
  metric: string;
  label: string;
  direction: MetricDirection;
  /** As asked (LAST by default); BEST is read as MAX or MIN by the direction. */
  aggregate: MetricAggregate;
}

export interface LeaderboardCell {
  /** Column index; null for the average column. */
  column: number | null;
  /** Runs behind the value (1 for a published row: the paper does not say). */
  n: number;
  mean: number | null;
  std: number | null;
  stdFrom: StdSource;
  /** Mean of the std logged with each run's metric (e.g. the 10-fold std). */
  runStd: number | null;
  best: boolean;
  /** mean - the baseline row's mean; null without a baseline or a value. */
  delta: number | null;
  /** Some run behind the value evaluated the benchmark off its protocol (never marked best). */
  nonStandard: boolean;
}

export interface LeaderboardRow {
  key: string;
  label: string;
  datasetId: string | null;
  datasetName: string | null;
  baseDatasetId: string | null;
  baseDatasetName: string | null;
  transferMethodId: string | null;
  transferMethodName: string | null;
  kind: DatasetKind | null;
  requirement: Requirement | null;
  /** The config values that split this row (src/domain/run-config.ts keys), dataset and method aside. */
  params: Record<string, unknown> | null;
  group: string | null;
  /** Some value of the row comes from an off-protocol evaluation. */
  nonStandard: boolean;
  /** What was off-protocol, e.g. "LFW: 300 of 6000 pairs". */
  nonStandardNotes: string[];
  published: boolean;
  source: string | null;
  runCount: number;
  /** Oldest first; null when the request did not ask for runs (see LeaderboardOptions). */
  runIds: string[] | null;
  /** With the default grouping: the config identity its runs share (compareRunGroup pages them). */
  configKey: string | null;
  seeds: number[] | null;
  firstRunAt: Date;
  lastRunAt: Date;
  isBaseline: boolean;
  cells: LeaderboardCell[];
  average: LeaderboardCell | null;
}

export interface LeaderboardGroupingInfo {
  dataset: boolean;
  trainingDataset: boolean;
  transferMethod: boolean;
  params: string[] | null;
  exceptParams: string[] | null;
  group: boolean;
}

export interface Leaderboard {
  columns: LeaderboardColumn[];
  /** The rows of the page asked for (every row without paging), in the board's order. */
  rows: LeaderboardRow[];
  /** Rows of the whole board. */
  totalRows: number;
  pageInfo: LeaderboardPageInfo;
  baseline: LeaderboardRow | null;
  std: StdKind;
  /** Values are fractions; displays multiply by this (the paper prints percentages). */
  displayScale: number;
  groupBy: LeaderboardGroupingInfo;
  /** The config keys row labels show (values that differ between rows); the exports' parameter columns. */
  labelKeys: string[];
  hasAverage: boolean;
  bestScope: BestScope;
  skipBestRequirements: Requirement[];
}

export interface LeaderboardOptions {
  /** Include each row's run ids and seeds (the bulk of the answer with thousands of runs). Default true. */
  withRuns?: boolean;
  /** One page of the sorted rows: `first` rows after the row whose key is `after`. Default: every row. */
  page?: LeaderboardPageInput;
}

export interface LeaderboardPageInput {
  first?: number | null;
  after?: string | null;
}

export interface LeaderboardPageInfo {
  hasNextPage: boolean;
  /** The last row's key: pass it as `after` for the next page. */
  endCursor: string | null;
}
