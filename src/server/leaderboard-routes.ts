// GET /leaderboard.csv | .md | .tex: the leaderboard export over plain HTTP, so a
// paper draft can \input a URL or a script can curl it. Query parameters mirror the
// GraphQL arguments (lists comma-separated or repeated):
//   preset=PAPER_TABLE_2|table2|table3   benchmarks=LFW,CFP-FP   metric=accuracy
//   columns=IJB-C:tar@fmr=1e-6,IJB-C:tar@fmr=1e-5   groupBy=dataset,trainingDataset,transferMethod,param:train.epochs,group|default|none
//   exceptParams=train.seed,transfer.seed (config keys; default: the seeds)   std=population|sample   requirement=NONE   kind=SYNTHETIC   published=true|false
//   finishedAfter=ISO   finishedBefore=ISO   datasets=...   transferMethods=...
//   baseline=<row key>   baselineDataset=   baselineTransferMethod=<name>|none   baselinePublished=true
//   best=all|per-requirement   skipBest=PRETRAINED_FR   average=true|false   order=first-run|label|average|column:N   direction=asc|desc
import type express from "express";
import { badInput } from "../errors";
import type { Services } from "../services";
import { sendRouteError } from "./route-errors";
import type {
  ExportFormat,
  LeaderboardColumnInput,
  LeaderboardGroupByInput,
  LeaderboardInput,
  LeaderboardOrderField,
  LeaderboardPreset,
  LeaderboardRowSelector,
} from "../services/leaderboard/types";
import type { DatasetKind, Requirement } from "../generated/prisma/enums";

const FORMATS: Record<string, ExportFormat> = { csv: "CSV", md: "MARKDOWN", tex: "LATEX" };
const PRESETS: Record<string, LeaderboardPreset> = {
  table2: "PAPER_TABLE_2",
  paper_table_2: "PAPER_TABLE_2",
  table3: "PAPER_TABLE_3",
  paper_table_3: "PAPER_TABLE_3",
};
const REQUIREMENTS: readonly Requirement[] = ["NONE", "IDENTITY_LABELS", "PRETRAINED_FR"];
const KINDS: readonly DatasetKind[] = ["REAL", "SYNTHETIC", "REALISM_TRANSFERRED"];

type Query = Record<string, unknown>;

function list(query: Query, name: string): string[] | null {
  const raw = query[name];
  if (raw === undefined) return null;
  const values = (Array.isArray(raw) ? raw : [raw]).map(String);
  return values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
}

function single(query: Query, name: string): string | null {
  const values = list(query, name);
  if (!values) return null;
  if (values.length !== 1) throw badInput(name, `give one value, got ${values.length}`);
  return values[0]!;
}

function bool(query: Query, name: string): boolean | null {
  const value = single(query, name);
  if (value == null) return null;
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw badInput(name, `must be true or false, got ${JSON.stringify(value)}`);
}

function date(query: Query, name: string): Date | null {
  const value = single(query, name);
  if (value == null) return null;
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) throw badInput(name, `is not a date: ${JSON.stringify(value)}`);
  return parsed;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  const upper = value.toUpperCase().replaceAll("-", "_") as T;
  if (!allowed.includes(upper)) throw badInput(name, `${JSON.stringify(value)} is not one of ${allowed.join(", ")}`);
  return upper;
}

/** Parses the export route's query string into leaderboard arguments. */
export function leaderboardInputFromQuery(query: Query): LeaderboardInput {
  const input: LeaderboardInput = {};
  const preset = single(query, "preset");
  if (preset) {
    const key = preset.toLowerCase();
    input.preset = PRESETS[key] ?? oneOf("preset", preset, ["PAPER_TABLE_2", "PAPER_TABLE_3"] as const);
  }
  input.benchmarks = list(query, "benchmarks");
  input.metric = single(query, "metric");
  const columns = list(query, "columns");
  if (columns) {
    input.columns = columns.map((spec): LeaderboardColumnInput => {
      const at = spec.indexOf(":");
      return at < 0 ? { benchmark: spec } : { benchmark: spec.slice(0, at), metric: spec.slice(at + 1) };
    });
  }

  const groupBy = list(query, "groupBy");
  const exceptParams = list(query, "exceptParams");
  if ((groupBy && !(groupBy.length === 1 && groupBy[0] === "default")) || exceptParams) {
    const g: LeaderboardGroupByInput = {};
    if (groupBy && groupBy[0] !== "default") {
      const params = groupBy.filter((p) => p.startsWith("param:")).map((p) => p.slice("param:".length));
      const known = new Set(["dataset", "trainingDataset", "transferMethod", "params", "group", "none"]);
      const unknown = groupBy.find((p) => !p.startsWith("param:") && !known.has(p));
      if (unknown) throw badInput("groupBy", `${JSON.stringify(unknown)} is not dataset, trainingDataset, transferMethod, params, group, none or param:<config key>`);
      g.dataset = groupBy.includes("dataset");
      g.trainingDataset = groupBy.includes("trainingDataset");
      g.transferMethod = groupBy.includes("transferMethod");
      g.group = groupBy.includes("group");
      g.params = groupBy.includes("params") ? null : params;
    }
    if (exceptParams) g.exceptParams = exceptParams;
    input.groupBy = g;
  }

  const filter: NonNullable<LeaderboardInput["filter"]> = {};
  const requirement = list(query, "requirement");
  if (requirement) filter.requirement = requirement.map((r) => oneOf("requirement", r, REQUIREMENTS));
  const kind = list(query, "kind");
  if (kind) filter.datasetKind = kind.map((k) => oneOf("kind", k, KINDS));
  filter.published = bool(query, "published");
  filter.finishedAfter = date(query, "finishedAfter");
  filter.finishedBefore = date(query, "finishedBefore");
  filter.datasets = list(query, "datasets");
  filter.transferMethods = list(query, "transferMethods");
  input.filter = filter;

  const baselineKey = single(query, "baseline");
  const baselineDataset = single(query, "baselineDataset");
  const baselineMethod = single(query, "baselineTransferMethod");
  const baselinePublished = bool(query, "baselinePublished");
  if (baselineKey || baselineDataset || baselineMethod || baselinePublished != null) {
    const selector: LeaderboardRowSelector = {};
    if (baselineKey) selector.key = baselineKey;
    if (baselineDataset) selector.dataset = baselineDataset;
    if (baselineMethod) selector.transferMethod = baselineMethod.toLowerCase() === "none" ? null : baselineMethod;
    if (baselinePublished != null) selector.published = baselinePublished;
    input.baseline = selector;
  }

  const std = single(query, "std");
  if (std) input.std = oneOf("std", std, ["POPULATION", "SAMPLE"] as const);
  const best = single(query, "best");
  const skipBest = list(query, "skipBest");
  if (best || skipBest) {
    input.best = {
      ...(best ? { scope: oneOf("best", best, ["ALL", "PER_REQUIREMENT"] as const) } : {}),
      ...(skipBest ? { skipRequirements: skipBest.map((r) => oneOf("skipBest", r, REQUIREMENTS)) } : {}),
    };
  }
  input.average = bool(query, "average");

  const order = single(query, "order");
  const direction = single(query, "direction");
  if (order || direction) {
    const [field, column] = (order ?? "first-run").split(":");
    input.orderBy = {
      field: oneOf<LeaderboardOrderField>("order", field!, ["FIRST_RUN", "LABEL", "AVERAGE", "COLUMN"]),
      ...(column != null ? { column: Number(column) } : {}),
      ...(direction ? { direction: oneOf("direction", direction, ["ASC", "DESC"] as const) } : {}),
    };
  }
  return input;
}

export function mountLeaderboardRoutes(app: express.Express, services: Services): void {
  app.get(/^\/leaderboard\.(csv|md|tex)$/, async (req, res) => {
    const extension = req.path.slice(req.path.lastIndexOf(".") + 1);
    const format = FORMATS[extension]!;
    try {
      // A read like the GraphQL query: public unless READS_PUBLIC=false, then a READ token.
      services.auth.authorize(await services.auth.authenticate(req.headers.authorization), "PUBLIC_READ", "the leaderboard export");
      const result = await services.leaderboard.export(format, leaderboardInputFromQuery(req.query as Query));
      res.setHeader("content-type", result.contentType);
      res.setHeader("content-disposition", `inline; filename="leaderboard.${result.extension}"`);
      res.send(result.content);
    } catch (error) {
      sendRouteError(res, error, "leaderboard export");
    }
  });
}
