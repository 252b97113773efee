// Importing a paper's published tables (the format of seed/published-results.json)
// as SUCCEEDED EVALUATE runs with a `source`, so the leaderboard shows them beside
// runs tracked here. One run per (dataset, transfer method) row; Table 2 gives
// accuracy per benchmark, Table 3 TAR@FMR on IJB-C. Values become fractions.
// Importing the same document twice changes nothing.
import { z } from "zod";
import type { Stores } from "../db/stores";
import type { MetricRow } from "../db/stores/metrics-store";
import { badInput } from "../errors";
import { ACCURACY, averageOf, tarAtFmr } from "../domain/metric-names";

const percentages = z.array(z.number().min(0).max(100));

const rowSchema = z.object({
  transferMethod: z.string().nullable(),
  dataset: z.string().min(1),
  type: z.enum(["REAL", "SYNTHETIC", "REALISM_TRANSFERRED"]),
  requirement: z.enum(["NONE", "IDENTITY_LABELS", "PRETRAINED_FR"]).nullable(),
  mean: percentages,
  std: percentages,
  /** Table 2's Avg column: [mean, std] in percent. */
  avg: z.tuple([z.number().min(0).max(100), z.number().min(0).max(100)]).optional(),
});

export const publishedResultsSchema = z.object({
  source: z.string().min(1),
  table2_verification_accuracy: z
    .object({ benchmarks: z.array(z.string()).min(1), rows: z.array(rowSchema) })
    .optional(),
  table3_ijbc_tar_at_fmr: z
    .object({ benchmark: z.string(), fmrs: z.array(z.number().positive()).min(1), rows: z.array(rowSchema) })
    .optional(),
});

export type PublishedResults = z.infer<typeof publishedResultsSchema>;

interface PendingMetric {
  benchmark: string | null;
  name: string;
  value: number;
  std: number;
}

export interface ImportSummary {
  runsCreated: number;
  runsExisting: number;
  metricsWritten: number;
}

export function createPublishedResultsImporter(stores: Stores) {
  return async function importPublishedResults(document: unknown): Promise<ImportSummary> {
    const parsed = publishedResultsSchema.safeParse(document);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw badInput(["document", ...issue.path].join("."), issue.message);
    }
    const results = parsed.data;
    const byRow = new Map<string, { row: z.infer<typeof rowSchema>; metrics: PendingMetric[] }>();
    const add = (row: z.infer<typeof rowSchema>, metric: PendingMetric) => {
      const key = `${row.dataset}\u0000${row.transferMethod ?? ""}`;
      const entry = byRow.get(key) ?? { row, metrics: [] };
      entry.metrics.push(metric);
      byRow.set(key, entry);
    };
    const table2 = results.table2_verification_accuracy;
    table2?.rows.forEach((row, r) => {
      checkLengths(`table2_verification_accuracy.rows[${r}]`, row, table2.benchmarks.length);
      table2.benchmarks.forEach((benchmark, i) =>
        add(row, { benchmark, name: ACCURACY, value: fraction(row.mean[i]!), std: fraction(row.std[i]!) }),
      );
      if (row.avg) add(row, { benchmark: null, name: averageOf(ACCURACY), value: fraction(row.avg[0]), std: fraction(row.avg[1]) });
    });
    const table3 = results.table3_ijbc_tar_at_fmr;
    table3?.rows.forEach((row, r) => {
      checkLengths(`table3_ijbc_tar_at_fmr.rows[${r}]`, row, table3.fmrs.length);
      table3.fmrs.forEach((fmr, i) =>
        add(row, { benchmark: table3.benchmark, name: tarAtFmr(fmr), value: fraction(row.mean[i]!), std: fraction(row.std[i]!) }),
      );
    });

    const benchmarkNames = [...new Set([...byRow.values()].flatMap((e) => e.metrics.flatMap((m) => (m.benchmark ? [m.benchmark] : []))))];
    const benchmarks = new Map((await stores.catalogue.benchmarksByNames(benchmarkNames)).map((b) => [b.name, b.id]));
    const missing = benchmarkNames.filter((n) => !benchmarks.has(n));
    if (missing.length) throw badInput("document", `unknown benchmark(s): ${missing.join(", ")}`);

    const summary: ImportSummary = { runsCreated: 0, runsExisting: 0, metricsWritten: 0 };
    for (const { row, metrics } of byRow.values()) {
      await stores.transaction(async (tx) => {
        // The training data of a transferred row is the source dataset + the method.
        const kind = row.type === "REALISM_TRANSFERRED" ? "SYNTHETIC" : row.type;
        const dataset = await tx.catalogue.upsertDatasetByName({ name: row.dataset, kind, requirement: row.requirement });
        const method = row.transferMethod ? await tx.catalogue.methodByName(row.transferMethod) : null;
        if (row.transferMethod && !method) {
          throw badInput("document", `unknown transfer method ${JSON.stringify(row.transferMethod)}`);
        }
        const existing = await tx.runs.findPublished(results.source, dataset.id, method?.id ?? null);
        const run =
          existing ??
          (await tx.runs.create({
              kind: "EVALUATE",
              status: "SUCCEEDED",
              source: results.source,
              name: `Published: ${row.transferMethod ? `${row.transferMethod} on ` : ""}${row.dataset}`,
              group: `published:${row.dataset}${row.transferMethod ? `+${row.transferMethod}` : ""}`,
              datasetId: dataset.id,
              transferMethodId: method?.id ?? null,
              params: { trainingDataset: row.dataset, transferMethod: row.transferMethod, requirement: row.requirement },
              startedAt: new Date(),
              finishedAt: new Date(),
          }));
        summary[existing ? "runsExisting" : "runsCreated"] += 1;
        const rows: MetricRow[] = metrics.map((m) => ({
          runId: run.id,
          benchmarkId: m.benchmark ? benchmarks.get(m.benchmark)! : null,
          name: m.name,
          value: m.value,
          std: m.std,
          step: 0,
        }));
        summary.metricsWritten += await tx.metrics.upsert(rows);
      });
    }
    return summary;
  };
}

function checkLengths(field: string, row: { mean: number[]; std: number[] }, expected: number) {
  if (row.mean.length !== expected) throw badInput(`${field}.mean`, `has ${row.mean.length} values, expected ${expected}`);
  if (row.std.length !== expected) throw badInput(`${field}.std`, `has ${row.std.length} values, expected ${expected}`);
}

/** 97.94 -> 0.9794 (not 0.9793999999999999): papers print percentages with few digits. */
function fraction(percent: number): number {
  return Number((percent / 100).toPrecision(12));
}
