// `watch`: follows runs (runProgress + runUpdated) or pipelines (pipelineUpdated)
// over graphql-ws until each reaches a final status, drawing a progress bar with
// done/total, rate and ETA. A slow HTTP poll backs the subscriptions up (an event
// can be missed between the first read and the subscription starting, or while
// the server reconnects to Postgres); when the socket fails the poll carries on
// alone.
import type { CommandContext } from "./command";
import { LiveDisplay } from "./display";
import { ApiError, ConnectionError, InterruptedError } from "./errors";
import { graphql } from "../generated/graphql/cli";
import type { WatchedPipelineFragment, WatchedRunFragment } from "../generated/graphql/cli/graphql";
import { bar, formatDuration, formatPercent, formatRate } from "./format";

export const WatchedRun = graphql(`fragment WatchedRun on Run {
  id kind status name error group seed startedAt finishedAt createdAt
  progress { done total phase rate etaSeconds fraction } executor executorJobId executorNode executorReason
}`);

export const WatchedPipeline = graphql(`fragment WatchedPipeline on Pipeline {
  id name status baseline group error createdAt finishedAt
  progress { done total fraction }
  runs { id kind status seed error startedAt progress { done total phase rate etaSeconds fraction } }
}`);

const RUN = graphql(`query WatchRun($id: ID!) { run(id: $id) { ...WatchedRun } }`);
const PIPELINE = graphql(`query WatchPipeline($id: ID!) { pipeline(id: $id) { ...WatchedPipeline } }`);
const PIPELINE_UPDATED = graphql(`subscription WatchPipelineUpdated($id: ID!) { pipelineUpdated(id: $id) { pipeline { ...WatchedPipeline } } }`);

export type RunState = WatchedRunFragment;
export type PipelineState = WatchedPipelineFragment;
export type Progress = RunState["progress"];

const RUN_PROGRESS = graphql(`subscription WatchRunProgress($id: ID!) { runProgress(runId: $id) { runId done total phase rate etaSeconds fraction } }`);
const RUN_UPDATED = graphql(`subscription WatchRunUpdated($filter: RunUpdatedFilter) { runUpdated(filter: $filter) { id status } }`);

/** Where a run executes, for runs not on the local queue: "slurm job 12 on node1 (PENDING (Resources))". */
export function executorText(run: { executor?: string; executorJobId?: string | null; executorNode?: string | null; executorReason?: string | null }): string {
  if (!run.executor || run.executor === "local") return "";
  const job = run.executorJobId ? ` job ${run.executorJobId}` : "";
  const node = run.executorNode ? ` on ${run.executorNode}` : "";
  const reason = run.executorReason ? ` (${run.executorReason})` : "";
  return `${run.executor}${job}${node}${reason}`;
}

const FINAL = new Set(["SUCCEEDED", "FAILED", "CANCELLED"]);
export const isFinal = (status: string) => FINAL.has(status);

export interface WatchOptions {
  /** Non-terminal output: at most one progress line per item this often. */
  intervalMs?: number;
  /** HTTP poll backing the subscription up. */
  pollMs?: number;
  /** Print the summary lines (default true). */
  quiet?: boolean;
  /** Internal: the targets are pipelines (for the Ctrl-C hint). */
  pipelines?: boolean;
}

/** How one kind of thing is watched. */
interface Target<S> {
  id: string;
  fetch(): Promise<S>;
  /** Subscribes; calls onState with fresh state or onHint when a refetch is due. */
  subscribe(ctx: CommandContext, onState: (patch: Partial<S>) => void, onHint: () => void, onError: (e: unknown) => void): Array<() => void>;
  status(state: S): string;
  line(state: S, prefix: string): string;
  summary(state: S): string;
}

// ---- runs -----------------------------------------------------------------

export async function fetchRun(ctx: CommandContext, id: string): Promise<RunState> {
  const data = await ctx.client.request(RUN, { id });
  if (!data.run) throw new ApiError([{ message: `run "${id}" does not exist`, extensions: { code: "NOT_FOUND" } }]);
  return data.run;
}

/** Fills a missing rate from what we have seen, and a missing ETA from the rate. */
class RateEstimator {
  private first: { done: number; at: number } | null = null;

  fill(progress: Progress): Progress {
    let { rate, etaSeconds } = progress;
    const { done, total } = progress;
    if (done != null) {
      const now = Date.now();
      if (!this.first || done < this.first.done) this.first = { done, at: now };
      else if (rate == null && now > this.first.at && done > this.first.done) rate = ((done - this.first.done) * 1000) / (now - this.first.at);
    }
    if (etaSeconds == null && rate && done != null && total != null) etaSeconds = Math.max(0, (total - done) / rate);
    return { ...progress, rate, etaSeconds };
  }
}

function elapsed(startedAt: string | null, finishedAt: string | null): string | null {
  if (!startedAt) return null;
  const seconds = ((finishedAt ? Date.parse(finishedAt) : Date.now()) - Date.parse(startedAt)) / 1000;
  return Number.isFinite(seconds) ? formatDuration(seconds) : null;
}

export function progressText(progress: Progress, status: string): string {
  const { done, total } = progress;
  const fraction = progress.fraction ?? (done != null && total ? Math.min(1, done / total) : status === "SUCCEEDED" ? 1 : null);
  const parts = [bar(fraction), fraction != null ? formatPercent(fraction) : "   -"];
  if (done != null && total != null) parts.push(`${done}/${total}`);
  else if (done != null) parts.push(`${done} done`);
  const rate = formatRate(progress.rate);
  if (rate) parts.push(rate);
  if (!isFinal(status) && progress.etaSeconds != null && fraction !== 1) parts.push(`ETA ${formatDuration(progress.etaSeconds)}`);
  return parts.join("  ");
}

function runTarget(id: string, ctx: CommandContext): Target<RunState> {
  const estimator = new RateEstimator();
  return {
    id,
    fetch: () => fetchRun(ctx, id),
    subscribe(_ctx, onState, onHint, onError) {
      return [
        ctx.client.subscribe(
          RUN_PROGRESS,
          { id },
          {
            next: ({ runProgress }) => {
              const { runId: _runId, ...progress } = runProgress;
              onState({ progress });
            },
            error: onError,
          },
        ),
        ctx.client.subscribe(
          RUN_UPDATED,
          { filter: { runId: id } },
          { next: () => onHint(), error: onError },
        ),
      ];
    },
    status: (state) => state.status,
    line(state, prefix) {
      const progress = estimator.fill(state.progress);
      const took = isFinal(state.status) ? elapsed(state.startedAt, state.finishedAt) : null;
      const status = took ? `${state.status} in ${took}` : state.status;
      const phase = progress.phase && !isFinal(state.status) ? `  ${progress.phase}` : "";
      const where = executorText(state);
      return `${prefix}${progressText(progress, state.status)}  ${status}${phase}${where ? `  [${where}]` : ""}`;
    },
    summary(state) {
      const took = elapsed(state.startedAt, state.finishedAt);
      const head = `${state.kind} run ${state.id} ${state.status}${took && state.status === "SUCCEEDED" ? ` in ${took}` : ""}`;
      return state.error ? `${head}: ${state.error}` : head;
    },
  };
}

// ---- pipelines --------------------------------------------------------------

export async function fetchPipeline(ctx: CommandContext, id: string): Promise<PipelineState> {
  const data = await ctx.client.request(PIPELINE, { id });
  if (!data.pipeline) throw new ApiError([{ message: `pipeline "${id}" does not exist`, extensions: { code: "NOT_FOUND" } }]);
  return data.pipeline;
}

function pipelineTarget(id: string, ctx: CommandContext): Target<PipelineState> {
  return {
    id,
    fetch: () => fetchPipeline(ctx, id),
    subscribe(_ctx, onState, _onHint, onError) {
      return [
        ctx.client.subscribe(
          PIPELINE_UPDATED,
          { id },
          { next: ({ pipelineUpdated }) => onState(pipelineUpdated.pipeline), error: onError },
        ),
      ];
    },
    status: (state) => state.status,
    line(state, prefix) {
      const { done, total, fraction } = state.progress;
      const parts = [bar(fraction), formatPercent(fraction), `${done}/${total} steps`, state.status];
      if (!isFinal(state.status)) {
        for (const step of state.runs.filter((r) => r.status === "RUNNING")) {
          const p = step.progress;
          const stepFraction = p.fraction ?? (p.done != null && p.total ? p.done / p.total : null);
          const rate = formatRate(p.rate);
          parts.push(
            [`${step.kind}${step.kind === "TRAIN" && step.seed != null ? ` seed ${step.seed}` : ""}`, stepFraction != null ? formatPercent(stepFraction).trim() : null, rate, p.etaSeconds != null ? `ETA ${formatDuration(p.etaSeconds)}` : null]
              .filter(Boolean)
              .join(" "),
          );
        }
      }
      return `${prefix}${parts.join("  ")}`;
    },
    summary(state) {
      const head = `pipeline ${state.id} (${state.name}${state.baseline ? ", baseline" : ""}, group ${state.group}) ${state.status}`;
      return state.error ? `${head}: ${state.error}` : head;
    },
  };
}

// ---- the loop ---------------------------------------------------------------

export function watchRuns(ctx: CommandContext, ids: string[], options: WatchOptions = {}): Promise<RunState[]> {
  return watchTargets(
    ctx,
    ids.map((id) => runTarget(id, ctx)),
    (state, many) => (many ? `${state.kind.padEnd(8)} ${state.id.slice(0, 8)}  ` : ""),
    options,
  );
}

export function watchPipelines(ctx: CommandContext, ids: string[], options: WatchOptions = {}): Promise<PipelineState[]> {
  return watchTargets(
    ctx,
    ids.map((id) => pipelineTarget(id, ctx)),
    (state, many) => (many ? `${state.baseline ? "baseline" : "pipeline"} ${state.id.slice(0, 8)}  ` : ""),
    { ...options, pipelines: true },
  );
}

const GIVE_UP_AFTER_MS = 60_000;

async function watchTargets<S extends { id: string }>(
  ctx: CommandContext,
  targets: Target<S>[],
  prefixOf: (state: S, many: boolean) => string,
  options: WatchOptions,
): Promise<S[]> {
  const pollMs = options.pollMs ?? 2_000;
  const many = targets.length > 1;
  const states: S[] = await Promise.all(targets.map((t) => t.fetch()));
  const display = new LiveDisplay(ctx.io, targets.length, { tty: ctx.io.stderrIsTTY, intervalMs: options.intervalMs ?? 1_000 });
  const lastStatus = states.map((s, i) => targets[i]!.status(s));
  const draw = (i: number, force = false) => display.update(i, targets[i]!.line(states[i]!, prefixOf(states[i]!, many)), { force });
  states.forEach((_, i) => draw(i, true));

  const pending = new Set(targets.map((_, i) => i).filter((i) => !isFinal(lastStatus[i]!)));
  const unsubscribers: Array<() => void> = [];
  let poller: NodeJS.Timeout | null = null;
  let socketFailed = false;
  let stopped = false;
  let failingSince: number | null = null;
  let settle: (error?: unknown) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    settle = (error?: unknown) => (error ? reject(error) : resolve());
  });
  const onSigint = () => {
    const ids = [...pending].map((i) => targets[i]!.id).join(" ");
    settle(new InterruptedError(`stopped watching; it goes on (\`realismlab cancel ${options.pipelines ? "--pipeline " : ""}${ids}\` stops it)`));
  };

  const apply = (i: number, state: S) => {
    if (!pending.has(i)) return;
    states[i] = state;
    const status = targets[i]!.status(state);
    const changed = status !== lastStatus[i];
    lastStatus[i] = status;
    draw(i, changed || isFinal(status));
    if (isFinal(status)) {
      pending.delete(i);
      if (pending.size === 0) settle();
    }
  };
  const refresh = async (i: number) => {
    try {
      const state = await targets[i]!.fetch();
      failingSince = null;
      apply(i, state);
    } catch (error) {
      if (error instanceof ConnectionError) {
        failingSince ??= Date.now();
        if (Date.now() - failingSince > GIVE_UP_AFTER_MS) settle(error);
      } else settle(error);
    }
  };

  if (pending.size) {
    process.once("SIGINT", onSigint);
    for (const i of pending) {
      const target = targets[i]!;
      unsubscribers.push(
        ...target.subscribe(
          ctx,
          (patch) => {
            if (!pending.has(i)) return;
            const next = { ...states[i]!, ...patch };
            // A progress event never says the run ended; a final status comes from a fresh read.
            if (isFinal(target.status(next)) && !isFinal(lastStatus[i]!)) void refresh(i);
            else apply(i, next);
          },
          () => void refresh(i),
          (error) => {
            if (socketFailed) return;
            socketFailed = true;
            ctx.info(`warning: live updates unavailable (${error instanceof Error ? error.message : String(error)}); polling every ${pollMs / 1000} s`);
          },
        ),
      );
    }
    // The first read happened before the subscriptions started: read once more, then keep polling.
    const poll = async () => {
      await Promise.all([...pending].map(refresh));
      if (pending.size && !stopped) poller = setTimeout(poll, pollMs);
    };
    poller = setTimeout(poll, Math.min(500, pollMs));
  }

  try {
    if (pending.size) await finished;
  } finally {
    stopped = true;
    process.removeListener("SIGINT", onSigint);
    if (poller) clearTimeout(poller);
    for (const unsubscribe of unsubscribers) unsubscribe();
    display.finish();
  }
  if (!options.quiet) for (let i = 0; i < targets.length; i++) ctx.info(targets[i]!.summary(states[i]!));
  return states;
}
