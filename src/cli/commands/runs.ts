import { choice, flag, int, list, str } from "../args";
import type { Command, CommandContext } from "../command";
import { UsageError } from "../errors";
import { formatTime, json, table } from "../format";
import { NameResolver } from "../resolve";
import { executorText } from "../watcher";
import { graphql } from "../../generated/graphql/cli";
import { RunStatus, type ListRunsQuery, type RunFilter } from "../../generated/graphql/cli/graphql";

/** The server's run kinds (its registry, src/kinds/registry.ts): a kind added there is known here too. */
async function runKind(ctx: CommandContext, value: string): Promise<string> {
  const { runKinds } = await ctx.client.request<{ runKinds: Array<{ name: string }> }>(`{ runKinds { name } }`);
  return choice("--kind", value, runKinds.map((k) => k.name));
}
const STATUSES = Object.values(RunStatus);

const LIST_RUNS = graphql(`query ListRuns($filter: RunFilter, $first: Int, $after: String) {
  runs(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { ...WatchedRun published tags dataset { name } transferMethod { name } faceModel { name } }
  }
}`);

type ListedRun = ListRunsQuery["runs"]["nodes"][number];

function progressCell(run: ListedRun): string {
  const { done, total, fraction } = run.progress;
  if (done == null) return "";
  if (total == null) return `${done}`;
  return `${done}/${total} ${Math.floor((fraction ?? (total ? done / total : 0)) * 100)}%`;
}

function what(run: ListedRun): string {
  if (run.name) return run.name;
  const parts = [run.faceModel?.name, run.dataset?.name, run.transferMethod ? `+ ${run.transferMethod.name}` : null].filter(Boolean);
  return parts.join(" ");
}

export const runs: Command = {
  name: "runs",
  summary: "List runs, newest first",
  usage: "runs [--kind KIND] [--status STATUS...] [--group NAME] [--first N] [options]",
  description: "A table of runs (id, kind, status, progress, what, group, created). Published results imported from papers are left out unless --published or --all.",
  options: {
    kind: { type: "string", value: "KIND", description: "transfer, train, evaluate, dataset_quality or another kind the server knows" },
    status: { type: "string", multiple: true, value: "STATUS", description: "queued, running, succeeded, failed, cancelled (repeatable or comma-separated)" },
    group: { type: "string", value: "NAME", description: "Only this group" },
    dataset: { type: "string", value: "NAME|ID", description: "Only runs on this dataset" },
    method: { type: "string", value: "NAME|ID", description: "Only runs with this transfer method" },
    published: { type: "boolean", description: "Only published results" },
    all: { type: "boolean", description: "Tracked runs and published results" },
    tag: { type: "string", multiple: true, value: "TAG", description: "Only runs carrying every one of these tags (repeatable or comma-separated)" },
    archived: { type: "boolean", description: "Only archived runs" },
    first: { type: "string", value: "N", description: "How many (default 20)" },
    after: { type: "string", value: "CURSOR", description: "Continue after this cursor (printed when there are more)" },
    json: { type: "boolean", description: "Print the connection as JSON" },
  },
  examples: ["realismlab runs --kind train --status running,queued", "realismlab runs --group digiface-codeformer --json"],
  async run(ctx, args) {
    if (flag(args, "published") && flag(args, "all")) throw new UsageError("--published and --all do not go together");
    const kindValue = str(args, "kind");
    const statuses = list(args, "status").map((s) => choice("--status", s, STATUSES));
    const first = int(args, "first", { min: 1 }) ?? 20;
    const names = new NameResolver(ctx.client);
    const datasetValue = str(args, "dataset");
    const methodValue = str(args, "method");
    const filter = {
      ...(kindValue ? { kind: await runKind(ctx, kindValue) } : {}),
      ...(statuses.length ? { status: statuses } : {}),
      ...(str(args, "group") !== undefined ? { group: str(args, "group") } : {}),
      ...(datasetValue ? { datasetId: await names.id("dataset", datasetValue) } : {}),
      ...(methodValue ? { transferMethodId: await names.id("transferMethod", methodValue) } : {}),
      ...(flag(args, "all") ? {} : { published: flag(args, "published") }),
      ...(list(args, "tag").length ? { tags: list(args, "tag") } : {}),
      archived: flag(args, "archived"),
    };
    // kind: a name the server's registry listed (runKinds), possibly newer than the generated enum.
    const data = await ctx.client.request(LIST_RUNS, { filter: filter as RunFilter, first, after: str(args, "after") ?? null });
    const connection = data.runs;
    if (flag(args, "json")) {
      ctx.out(json(connection));
      return 0;
    }
    if (!connection.nodes.length) {
      ctx.info("no runs match");
      return 0;
    }
    ctx.out(
      table(connection.nodes, [
        { header: "ID", value: (r) => r.id },
        { header: "KIND", value: (r) => r.kind },
        { header: "STATUS", value: (r) => r.status },
        { header: "PROGRESS", value: progressCell, right: true },
        { header: "WHAT", value: what },
        { header: "SEED", value: (r) => (r.seed == null ? "" : String(r.seed)), right: true },
        { header: "GROUP", value: (r) => r.group ?? "" },
        { header: "WHERE", value: (r) => executorText(r) || "local" },
        { header: "TAGS", value: (r) => r.tags.join(",") },
        { header: "CREATED", value: (r) => formatTime(r.createdAt) },
      ]),
    );
    const shown = connection.nodes.length;
    if (connection.pageInfo.hasNextPage && connection.pageInfo.endCursor) {
      ctx.info(`${shown} of ${connection.totalCount}; more with --after ${connection.pageInfo.endCursor}`);
    }
    return 0;
  },
};
