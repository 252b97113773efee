// Rules for runs: creation of externally tracked runs, validated status
// transitions, progress, and paging. Every status change announces runUpdated in
// the same transaction.
import type { Stores } from "../db/stores";
import type { ConfigCondition, RunListFilter, RunOrderField } from "../db/stores/runs-store";
import { CONFIG_KEY_PATTERN } from "../domain/run-config";
import type { Prisma, Run } from "../generated/prisma/client";
import type { RunKind, RunStatus } from "../generated/prisma/enums";
import { AppError, badInput, conflict, required } from "../errors";
import type { Actor } from "./actor";
import type { CatalogueService } from "./catalogue-service";
import { parseTags } from "./run-annotations-service";
import { canTransition, isTerminal } from "./run-status";
import { assertJsonSize } from "./json-bounds";

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

export interface RunsPageInput {
  filter?: RunListFilter | null;
  orderBy?: { field: "CREATED_AT" | "UPDATED_AT"; direction: "ASC" | "DESC" } | null;
  first?: number | null;
  after?: string | null;
}

const MAX_PAGE = 500;
const MAX_CONFIG_CONDITIONS = 20;
const MAX_IN_VALUES = 100;

/** Checks `runs(filter: { config })`: known-shaped keys, one kind of test per condition, bounded lists. */
function checkConfigConditions(conditions: ConfigCondition[]): ConfigCondition[] {
  if (conditions.length > MAX_CONFIG_CONDITIONS) throw badInput("filter.config", `at most ${MAX_CONFIG_CONDITIONS} conditions, got ${conditions.length}`);
  return conditions.map((c, i) => {
    const field = `filter.config[${i}]`;
    if (!CONFIG_KEY_PATTERN.test(c.key)) throw badInput(`${field}.key`, `${JSON.stringify(c.key.slice(0, 120))} is not a config key (e.g. train.epochs)`);
    const ranged = [c.gt, c.gte, c.lt, c.lte].some((v) => v != null);
    const tests = [c.eq != null, c.in != null, ranged].filter(Boolean).length;
    if (tests !== 1) throw badInput(field, "give exactly one of eq, in, or a range (gt, gte, lt, lte)");
    if (c.in && (c.in.length === 0 || c.in.length > MAX_IN_VALUES)) throw badInput(`${field}.in`, `give 1 to ${MAX_IN_VALUES} values, got ${c.in.length}`);
    for (const op of ["gt", "gte", "lt", "lte"] as const) {
      const v = c[op];
      if (v != null && !Number.isFinite(v)) throw badInput(`${field}.${op}`, "must be a finite number");
    }
    return c;
  });
}

export function encodeCursor(value: Date, id: string): string {
  return Buffer.from(JSON.stringify([value.toISOString(), id])).toString("base64url");
}

function decodeCursor(cursor: string): { value: Date; id: string } {
  try {
    const [iso, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [string, string];
    const value = new Date(iso);
    if (Number.isNaN(value.getTime()) || typeof id !== "string") throw new Error("bad cursor");
    return { value, id };
  } catch {
    throw badInput("after", "is not a cursor returned by this API");
  }
}

function jsonObject(field: string, value: unknown): Prisma.InputJsonObject | undefined {
  if (value == null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) throw badInput(field, "must be a JSON object");
  assertJsonSize(field, value);
  return value as Prisma.InputJsonObject;
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
    options: { announceProgress?: boolean; audit?: { actor: Actor; action: string; changes: Prisma.InputJsonObject } } = {},
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

    async require(id: string): Promise<Run> {
      return required(await store.byId(id).catch(() => null), "run", id);
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
            params: jsonObject("params", input.params) ?? {},
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
        ...(input.details !== undefined ? { details: jsonObject("details", input.details) ?? {} } : {}),
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
      const orderField: RunOrderField = input.orderBy?.field === "UPDATED_AT" ? "updatedAt" : "createdAt";
      const direction = input.orderBy?.direction === "ASC" ? "asc" : "desc";
      const filter = input.filter ?? {};
      const result = await store.page({
        filter: {
          ...filter,
          ...(filter.tags ? { tags: parseTags("filter.tags", filter.tags) } : {}),
          ...(filter.config ? { config: checkConfigConditions(filter.config) } : {}),
        },
        orderField,
        direction,
        first,
        ...(input.after ? { after: decodeCursor(input.after) } : {}),
      });
      return { ...result, cursorOf: (run: Run) => encodeCursor(run[orderField], run.id) };
    },
  };
}

export type RunsService = ReturnType<typeof createRunsService>;
