// Rules for runs: creation of externally tracked runs, validated status
// transitions, progress, and paging. Every status change announces runUpdated in
// the same transaction.
import type { BoundStores, Stores } from "../db/stores";
import type { ConfigCondition, MetricAggregateRef, MetricCondition, RunListFilter, RunSort } from "../db/stores/run-list-sql";
import { storedAggregate, type MetricAggregate } from "../domain/metric-aggregate";
import { CONFIG_KEY_PATTERN } from "../domain/run-config";
import type { Prisma, Run } from "../generated/prisma/client";
import type { RunStatus } from "../generated/prisma/enums";
import type { RunKind } from "../domain/run-kind";
import { AppError, badInput, conflict, required } from "../errors";
import type { Actor } from "./actor";
import type { CatalogueService } from "./catalogue-service";
import { parseTags } from "./run-annotations-service";
import { canTransition, isTerminal } from "./run-status";
import { jsonObject } from "./json-bounds";
import { isUuid } from "../db/stores/uuid";

export interface CreateRunInput {
  kind: RunKind;
  status?: RunStatus | null;
  name?: string | null;
  params?: unknown;
  seed?: number | null;
  group?: string | null;
  source?: string | null;
  datasetId?: string | null;
  transferMethodId?: string | null;
  faceModelId?: string | null;
}

export interface RunProgressInput {
  done?: number | null;
  total?: number | null;
  phase?: string | null;
  rate?: number | null;
  etaSeconds?: number | null;
}

export interface UpdateRunInput {
  status?: RunStatus | null;
  name?: string | null;
  progress?: RunProgressInput | null;
  details?: unknown;
  error?: string | null;
  worker?: string | null;
  device?: string | null;
}

/** A metric column of the runs table: a metric (on a benchmark, or the run's own) reduced over steps. */
export interface MetricColumnInput {
  name: string;
  benchmark?: string | null;
  aggregate?: MetricAggregate | null;
}

export interface MetricConditionInput extends MetricColumnInput {
  gt?: number | null;
  gte?: number | null;
  lt?: number | null;
  lte?: number | null;
}

export interface RunsFilterInput extends Omit<RunListFilter, "metrics"> {
  metrics?: MetricConditionInput[] | null;
}

export interface RunOrderInput {
  field: "CREATED_AT" | "UPDATED_AT" | "METRIC" | "CONFIG";
  direction: "ASC" | "DESC";
  metric?: MetricColumnInput | null;
  configKey?: string | null;
}

export interface RunsPageInput {
  filter?: RunsFilterInput | null;
  orderBy?: RunOrderInput | null;
  first?: number | null;
  after?: string | null;
}

const MAX_PAGE = 500;
const MAX_CONFIG_CONDITIONS = 20;
const MAX_IN_VALUES = 100;
const MAX_METRIC_CONDITIONS = 10;
const MAX_METRIC_NAME = 200;
const RANGE_OPS = ["gt", "gte", "lt", "lte"] as const;

function checkConfigKey(field: string, key: string): string {
  if (!CONFIG_KEY_PATTERN.test(key)) throw badInput(field, `${JSON.stringify(key.slice(0, 120))} is not a config key (e.g. train.epochs)`);
  return key;
}

function checkRange(field: string, c: Partial<Record<(typeof RANGE_OPS)[number], number | null>>): void {
  for (const op of RANGE_OPS) {
    const v = c[op];
    if (v != null && !Number.isFinite(v)) throw badInput(`${field}.${op}`, "must be a finite number");
  }
}

/** Checks `runs(filter: { config })`: known-shaped keys, one kind of test per condition, bounded lists. */
function checkConfigConditions(conditions: ConfigCondition[]): ConfigCondition[] {
  if (conditions.length > MAX_CONFIG_CONDITIONS) throw badInput("filter.config", `at most ${MAX_CONFIG_CONDITIONS} conditions, got ${conditions.length}`);
  return conditions.map((c, i) => {
    const field = `filter.config[${i}]`;
    checkConfigKey(`${field}.key`, c.key);
    const ranged = [c.gt, c.gte, c.lt, c.lte].some((v) => v != null);
    const tests = [c.eq != null, c.in != null, ranged, c.exists != null].filter(Boolean).length;
    if (tests !== 1) throw badInput(field, "give exactly one of eq, in, exists, or a range (gt, gte, lt, lte)");
    if (c.in && (c.in.length === 0 || c.in.length > MAX_IN_VALUES)) throw badInput(`${field}.in`, `give 1 to ${MAX_IN_VALUES} values, got ${c.in.length}`);
    checkRange(field, c);
    return c;
  });
}

/** A metric column as the stores read it, its benchmark already resolved: BEST resolved by the metric's direction. */
export function metricColumnRef(field: string, column: MetricColumnInput, benchmarkId: string | null): MetricAggregateRef {
  const name = column.name?.trim() ?? "";
  if (!name || name.length > MAX_METRIC_NAME) throw badInput(`${field}.name`, `give a metric name of 1 to ${MAX_METRIC_NAME} characters`);
  return { name, benchmarkId, aggregate: storedAggregate(name, column.aggregate ?? "LAST") };
}

/** A cursor: the last row's sort value (JSON form) and id. */
export function encodeCursor(value: unknown, id: string): string {
  return Buffer.from(JSON.stringify([value, id])).toString("base64url");
}


function decodeCursor(cursor: string, sort: RunSort): { value: unknown; id: string } {
  try {
    if (cursor.length > 4096) throw new Error("too long");
    const [value, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [unknown, string];
    if (!isUuid(id)) throw new Error("bad id");
    const timestamp = sort.kind === "createdAt" || sort.kind === "updatedAt";
    if (timestamp && (typeof value !== "string" || Number.isNaN(new Date(value).getTime()))) throw new Error("bad time");
    if (sort.kind === "metric" && value !== null && typeof value !== "number") throw new Error("bad value");
    return { value, id };
  } catch {
    throw badInput("after", "is not a cursor returned by this API for this order");
  }
}

const MAX_PHASE_LENGTH = 200;

function progressColumns(progress: RunProgressInput): Prisma.RunUncheckedUpdateInput {
  const columns: Prisma.RunUncheckedUpdateInput = {};
  for (const key of ["done", "total"] as const) {
    const value = progress[key];
    if (value != null && (!Number.isInteger(value) || value < 0)) {
      throw badInput(`progress.${key}`, `must be a non-negative integer, got ${value}`);
    }
  }
  if (progress.done != null) columns.progressDone = progress.done;
  if (progress.total != null) columns.progressTotal = progress.total;
  if (progress.phase != null && progress.phase.length > MAX_PHASE_LENGTH) {
    // The phase travels in a NOTIFY payload (Postgres caps those at 8000 bytes).
    throw badInput("progress.phase", `is ${progress.phase.length} characters long; at most ${MAX_PHASE_LENGTH} are allowed`);
  }
  if (progress.phase !== undefined) columns.progressPhase = progress.phase;
  if (progress.rate !== undefined) columns.progressRate = progress.rate;
  if (progress.etaSeconds !== undefined) columns.progressEtaSeconds = progress.etaSeconds;
  return columns;
}

/** What updateRun may change that is part of a run's results (append-protected once it has finished). */
const RESULT_FIELDS = ["status", "name", "progress", "details", "error", "worker", "device"] as const;

/** The result fields an update changes, each as {from, to} (progress is not a result). */
function auditedChanges(run: Run, data: Prisma.RunUncheckedUpdateInput): Prisma.InputJsonObject {
  const changes: Record<string, Prisma.InputJsonValue> = {};
  for (const key of ["status", "name", "details", "error", "worker", "device"] as const) {
    if (!(key in data)) continue;
    const from = (run[key] ?? null) as Prisma.InputJsonValue | null;
    const to = (data[key] ?? null) as Prisma.InputJsonValue | null;
    if (JSON.stringify(from) !== JSON.stringify(to)) changes[key] = { from, to } as Prisma.InputJsonObject;
  }
  return changes;
}

export function createRunsService(stores: Stores, catalogue: CatalogueService) {
  const store = stores.runs;
  // Told about every run that reaches a terminal status (pipelines advance on it).
  const terminalListeners: Array<(run: Run) => Promise<void>> = [];
  async function assertReferences(input: Pick<CreateRunInput, "datasetId" | "transferMethodId" | "faceModelId">) {
    if (input.datasetId && !(await catalogue.datasetByIdOrName(input.datasetId))) {
      throw badInput("datasetId", `dataset ${JSON.stringify(input.datasetId)} does not exist`);
    }
    if (input.transferMethodId && !(await catalogue.methodByIdOrName(input.transferMethodId))) {
      throw badInput("transferMethodId", `transfer method ${JSON.stringify(input.transferMethodId)} does not exist`);
    }
    if (input.faceModelId && !(await catalogue.faceModel(input.faceModelId))) {
      throw badInput("faceModelId", `face model ${JSON.stringify(input.faceModelId)} does not exist`);
    }
  }

  /**
   * Writes a status change (and its runUpdated event) if the run is still in its
   * current status; with `announceProgress`, also a runProgress event, so external
   * runs reporting through updateRun reach progress subscribers like launched ones.
   */
  async function transition(
    run: Run,
    to: RunStatus,
    extra: Prisma.RunUncheckedUpdateInput = {},
    options: {
      announceProgress?: boolean;
      audit?: { actor: Actor; action: string; changes: Prisma.InputJsonObject };
      /** More writes in the same transaction, after the status changed (a run's outcome); a throw undoes all. */
      alsoWrite?: (tx: BoundStores, row: Run) => Promise<void>;
    } = {},
  ): Promise<Run> {
    if (!canTransition(run.status, to)) {
      throw conflict(`run ${run.id} is ${run.status} and cannot become ${to}`);
    }
    const now = new Date();
    const data: Prisma.RunUncheckedUpdateInput = {
      ...extra,
      status: to,
      ...(to === "RUNNING" && !run.startedAt ? { startedAt: now } : {}),
      ...(isTerminal(to) ? { finishedAt: now } : {}),
    };
    const updated = await stores.transaction(async (tx) => {
      const row = await tx.runs.updateIfStatus(run.id, run.status, data);
      if (row && options.alsoWrite) await options.alsoWrite(tx, row);
      if (row && options.audit) {
        const { actor, action, changes } = options.audit;
        await tx.audit.record({ runId: row.id, actor: actor.name, tokenId: actor.tokenId, action, changes });
      }
      // A finished run's trainer token stops working with it.
      if (row && isTerminal(row.status)) await tx.tokens.revokeForRun(row.id);
      if (row && row.status !== run.status) {
        await tx.notify("runUpdated", { runId: row.id, kind: row.kind, status: row.status, group: row.group });
      }
      if (row && options.announceProgress) {
        await tx.notify("runProgress", {
          runId: row.id,
          done: row.progressDone,
          total: row.progressTotal,
          phase: row.progressPhase,
          rate: row.progressRate,
          etaSeconds: row.progressEtaSeconds,
          at: Date.now(),
        });
      }
      return row;
    });
    if (!updated) throw conflict(`run ${run.id} changed status meanwhile; read it again and retry`);
    if (isTerminal(updated.status) && !isTerminal(run.status)) {
      for (const listener of terminalListeners) {
        await listener(updated).catch((error) => console.warn(`after run ${run.id} ended: ${(error as Error).message}`));
      }
    }
    return updated;
  }

  return {
    transition,

    /** Registers a listener for runs reaching SUCCEEDED, FAILED or CANCELLED. */
    onTerminal(listener: (run: Run) => Promise<void>) {
      terminalListeners.push(listener);
    },

    /** The run, or null when no run has this id (a failing database throws). */
    find: (id: string): Promise<Run | null> => store.byId(id),

    async require(id: string): Promise<Run> {
      return required(await store.byId(id), "run", id);
    },

    async create(input: CreateRunInput): Promise<Run> {
      const status = input.status ?? "RUNNING";
      if (status !== "QUEUED" && status !== "RUNNING" && !input.source) {
        throw badInput("status", `a new run starts QUEUED or RUNNING, not ${status} (only published results are created finished)`);
      }
      if (input.seed != null && !Number.isInteger(input.seed)) throw badInput("seed", "must be an integer");
      await assertReferences(input);
      const now = new Date();
      return stores.transaction(async (tx) => {
        const row = await tx.runs.create({
            kind: input.kind,
            status,
            name: input.name ?? null,
            params: jsonObject("params", input.params) as Prisma.InputJsonObject,
            seed: input.seed ?? null,
            group: input.group ?? null,
            source: input.source ?? null,
            datasetId: input.datasetId ?? null,
            transferMethodId: input.transferMethodId ?? null,
            faceModelId: input.faceModelId ?? null,
            startedAt: status === "QUEUED" ? null : now,
            finishedAt: isTerminal(status) ? now : null,
        });
        await tx.notify("runUpdated", { runId: row.id, kind: row.kind, status: row.status, group: row.group });
        return row;
      });
    },

    /**
     * Changes a run for `actor`. Published runs change only with ADMIN; finished runs are
     * append-protected (their results change only with ADMIN; notes and tags have their own
     * mutations). Every change other than progress is recorded as an audit event.
     */
    async update(id: string, input: UpdateRunInput, actor: Actor): Promise<Run> {
      const run = await this.require(id);
      if (run.source && !actor.admin) {
        throw new AppError("FORBIDDEN", `run ${id} holds published results; only an ADMIN token may change it`);
      }
      const touched = RESULT_FIELDS.filter((field) => input[field] !== undefined);
      if (isTerminal(run.status) && !actor.admin && touched.length) {
        throw conflict(`run ${id} is ${run.status}: a finished run's results are append-protected (notes and tags only; ADMIN may correct it)`);
      }
      const extra: Prisma.RunUncheckedUpdateInput = {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.progress ? progressColumns(input.progress) : {}),
        ...(input.details !== undefined ? { details: jsonObject("details", input.details) as Prisma.InputJsonObject } : {}),
        ...(input.error !== undefined ? { error: input.error } : {}),
        ...(input.worker !== undefined ? { worker: input.worker } : {}),
        ...(input.device !== undefined ? { device: input.device } : {}),
      };
      if (isTerminal(run.status) && input.progress) {
        throw conflict(`run ${id} is ${run.status}; its progress can no longer change`);
      }
      const changes = auditedChanges(run, { ...extra, ...(input.status && input.status !== run.status ? { status: input.status } : {}) });
      return transition(run, input.status ?? run.status, extra, {
        announceProgress: Boolean(input.progress),
        ...(Object.keys(changes).length ? { audit: { actor, action: "updateRun", changes } } : {}),
      });
    },

    async page(input: RunsPageInput) {
      const first = input.first ?? 50;
      if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE) {
        throw badInput("first", `must be between 0 and ${MAX_PAGE}, got ${first}`);
      }
      const sort = await runSort(input.orderBy);
      const direction = input.orderBy?.direction === "ASC" ? "asc" : "desc";
      const filter = input.filter ?? {};
      const result = await store.page({
        filter: {
          ...filter,
          ...(filter.tags ? { tags: parseTags("filter.tags", filter.tags) } : {}),
          ...(filter.config ? { config: checkConfigConditions(filter.config) } : {}),
          metrics: filter.metrics ? await metricConditions(filter.metrics) : null,
        },
        sort,
        direction,
        first,
        ...(input.after ? { after: decodeCursor(input.after, sort) } : {}),
      });
      return { ...result, cursorOf: (run: Run) => encodeCursor(result.sortValues.get(run.id) ?? null, run.id) };
    },
  };

  async function metricRef(field: string, column: MetricColumnInput): Promise<MetricAggregateRef> {
    const benchmarkId = column.benchmark ? (await catalogue.benchmarkIdsByName(`${field}.benchmark`, [column.benchmark])).get(column.benchmark)! : null;
    return metricColumnRef(field, column, benchmarkId);
  }

  async function metricConditions(conditions: MetricConditionInput[]): Promise<MetricCondition[]> {
    if (conditions.length > MAX_METRIC_CONDITIONS) throw badInput("filter.metrics", `at most ${MAX_METRIC_CONDITIONS} conditions, got ${conditions.length}`);
    return Promise.all(
      conditions.map(async (c, i) => {
        const field = `filter.metrics[${i}]`;
        checkRange(field, c);
        if (!RANGE_OPS.some((op) => c[op] != null)) throw badInput(field, "give a threshold (gt, gte, lt or lte)");
        return { metric: await metricRef(field, c), gt: c.gt, gte: c.gte, lt: c.lt, lte: c.lte };
      }),
    );
  }

  async function runSort(order: RunOrderInput | null | undefined): Promise<RunSort> {
    switch (order?.field ?? "CREATED_AT") {
      case "CREATED_AT":
        return { kind: "createdAt" };
      case "UPDATED_AT":
        return { kind: "updatedAt" };
      case "CONFIG":
        if (!order?.configKey) throw badInput("orderBy.configKey", "give the config key to sort by (e.g. train.epochs)");
        return { kind: "config", key: checkConfigKey("orderBy.configKey", order.configKey) };
      case "METRIC":
        if (!order?.metric) throw badInput("orderBy.metric", "give the metric to sort by ({ name, benchmark, aggregate })");
        return { kind: "metric", metric: await metricRef("orderBy.metric", order.metric) };
    }
  }
}

export type RunsService = ReturnType<typeof createRunsService>;
