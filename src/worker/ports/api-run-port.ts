// The run ports over the GraphQL API with the run's own token, for a remote job
// (src/run-one.ts on a Slurm node): it needs only API_URL, the token and the shared
// filesystem for data files, never the database. The same mutations any trainer may
// call (logMetrics) plus the run-report ones (claimRun, heartbeatRun, appendRunLog,
// recordRunProcess, finishRun, failRun, requeueRun); the server refuses them for any
// other run than the token's.
import type { RunStatus } from "../../generated/prisma/enums";
import type { JobRun, RunPort, TrainerRef } from "../run-port";

const REQUEST_TIMEOUT_MS = 60_000;
/** appendRunLog takes at most this many lines per call. */
const LOG_LINES_PER_CALL = 1_000;
/** Waits before retrying a request that never reached the API (connection refused, reset, timeout). */
const SETTLE_RETRY_MS = [1_000, 2_000, 4_000, 8_000];

export class ApiError extends Error {
  override name = "ApiError";
  constructor(message: string, readonly code: string | undefined) {
    super(message);
  }
}

/** One GraphQL request over HTTP with the token; throws ApiError with the server's message. */
export function graphqlClient(url: string, token: string) {
  return async function request<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    let body: { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
    try {
      body = JSON.parse(text);
    } catch {
      throw new ApiError(`the API at ${url} answered HTTP ${response.status}: ${text.slice(0, 200)}`, undefined);
    }
    const [error] = body.errors ?? [];
    if (error) throw new ApiError(error.message, error.extensions?.code);
    if (!body.data) throw new ApiError(`the API at ${url} answered HTTP ${response.status} without data`, undefined);
    return body.data;
  };
}

const CLAIM = `mutation($runId: ID!, $worker: String!, $device: String!) {
  claimRun(runId: $runId, worker: $worker, device: $device) {
    attempt processGroup processHost trainerEnvironment
    run { id kind params seed details dataset { id } transferMethod { id } faceModel { id } trainer { id } }
  }
}`;

interface ClaimAnswer {
  claimRun: {
    attempt: number;
    processGroup: number | null;
    processHost: string | null;
    trainerEnvironment: Record<string, string> | null;
    run: {
      id: string;
      kind: JobRun["kind"];
      params: unknown;
      seed: number | null;
      details: unknown;
      dataset: { id: string } | null;
      transferMethod: { id: string } | null;
      faceModel: { id: string } | null;
      trainer: { id: string } | null;
    };
  } | null;
}

/**
 * The end of a run must reach the API even across a short outage (an API restart): retried
 * while the request fails before any answer; an answer with errors is final.
 */
async function settleWithRetries<T>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const wait = SETTLE_RETRY_MS[attempt];
      if (error instanceof ApiError || wait === undefined) throw error;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

export interface ApiRunPort extends RunPort {
  /** How this process settled the run (finishRun/failRun), for its exit status. */
  settled(): { status: RunStatus; error: string | null } | null;
}

export function createApiRunPort(options: { apiUrl: string; token: string }): ApiRunPort {
  const request = graphqlClient(options.apiUrl, options.token);
  let trainerEnvironment: Record<string, string> = {};
  let settled: { status: RunStatus; error: string | null } | null = null;
  let claimedRunId: string | null = null;

  return {
    settled: () => settled,
    async claim(runId, identity) {
      const { claimRun } = await request<ClaimAnswer>(CLAIM, { runId, worker: identity.name, device: identity.device });
      if (!claimRun) return null;
      const { run } = claimRun;
      trainerEnvironment = claimRun.trainerEnvironment ?? {};
      claimedRunId = run.id;
      return {
        id: run.id,
        kind: run.kind,
        params: run.params,
        seed: run.seed,
        attempt: claimRun.attempt,
        details: run.details,
        datasetId: run.dataset?.id ?? null,
        transferMethodId: run.transferMethod?.id ?? null,
        faceModelId: run.faceModel?.id ?? null,
        trainerId: run.trainer?.id ?? null,
        processGroup: claimRun.processGroup,
        processHost: claimRun.processHost,
      };
    },
    async heartbeat(runId, progress) {
      try {
        const data = await request<{ heartbeatRun: boolean }>(
          `mutation($runId: ID!, $progress: RunHeartbeatProgressInput) { heartbeatRun(runId: $runId, progress: $progress) }`,
          { runId, progress: progress ?? null },
        );
        return data.heartbeatRun;
      } catch (error) {
        // The run's token is revoked when the run ends (cancelled, failed elsewhere) or is re-queued.
        if (error instanceof ApiError && error.code === "UNAUTHENTICATED") return false;
        throw error;
      }
    },
    async appendLog(runId, lines) {
      for (let start = 0; start < lines.length; start += LOG_LINES_PER_CALL) {
        const chunk = lines.slice(start, start + LOG_LINES_PER_CALL);
        await request(`mutation($runId: ID!, $lines: [RunLogLineInput!]!) { appendRunLog(runId: $runId, lines: $lines) }`, { runId, lines: chunk });
      }
    },
    async logMetrics(runId, points) {
      await request(`mutation($runId: ID!, $points: [MetricPointInput!]!) { logMetrics(runId: $runId, points: $points) { received } }`, { runId, points });
    },
    async recordProcess(runId, processGroup, processHost) {
      await request(`mutation($runId: ID!, $g: Int, $h: String) { recordRunProcess(runId: $runId, processGroup: $g, processHost: $h) }`, { runId, g: processGroup, h: processHost });
    },
    async finish(runId, outcome) {
      await settleWithRetries(() => request(`mutation($runId: ID!, $outcome: RunOutcomeInput!) { finishRun(runId: $runId, outcome: $outcome) { status } }`, { runId, outcome }));
      settled = { status: "SUCCEEDED", error: null };
    },
    async fail(runId, error) {
      const data = await settleWithRetries(() =>
        request<{ failRun: { status: RunStatus; error: string | null } | null }>(
          `mutation($runId: ID!, $error: String!) { failRun(runId: $runId, error: $error) { status error } }`,
          { runId, error },
        ),
      );
      settled = data.failRun ?? settled;
    },
    async requeue(runId, reason) {
      await settleWithRetries(() => request(`mutation($runId: ID!, $reason: String!) { requeueRun(runId: $runId, reason: $reason) }`, { runId, reason }));
    },
    // The trainer reports with the job's own token: it is limited to this run already.
    runToken: async () => options.token,
    lookups: {
      async dataset(id) {
        return (await request<{ dataset: { id: string; name: string; uri: string | null } | null }>(`query($id: ID!) { dataset(id: $id) { id name uri } }`, { id })).dataset;
      },
      async transferMethod(id) {
        return (await request<{ transferMethod: { id: string; name: string; modelPath: string | null; inputSpec: unknown } | null }>(
          `query($id: ID!) { transferMethod(id: $id) { id name modelPath inputSpec } }`,
          { id },
        )).transferMethod;
      },
      async faceModel(id) {
        return (await request<{ faceModel: { id: string; name: string; modelPath: string; inputSpec: unknown } | null }>(
          `query($id: ID!) { faceModel(id: $id) { id name modelPath inputSpec } }`,
          { id },
        )).faceModel;
      },
      /** The claimed run's trainer; its environment came with the claim (the token's own run). */
      async trainer(id) {
        if (!claimedRunId) throw new Error("no run claimed yet");
        const data = await request<{ run: { trainer: Omit<TrainerRef, "environment"> | null } | null }>(
          `query($id: ID!) { run(id: $id) { trainer { id name command workingDirectory modelOutput inputSpec backbone head } } }`,
          { id: claimedRunId },
        );
        const trainer = data.run?.trainer;
        return trainer && trainer.id === id ? { ...trainer, environment: trainerEnvironment } : null;
      },
    },
  };
}
