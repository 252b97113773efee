// Names -> ids through the public list queries (datasets, transferMethods,
// trainers, faceModels, benchmarks). An exact id or name wins; otherwise a unique
// case-insensitive name match. No match is a UsageError (exit 2) that lists the
// known names, so nothing is launched with a typo.
import type { Document, GraphQLClient } from "./client";
import { graphql } from "../generated/graphql/cli";
import { UsageError } from "./errors";

export type CatalogueKind = "dataset" | "transferMethod" | "trainer" | "faceModel" | "benchmark";

interface Entry {
  id: string;
  name: string;
}

const LISTS: Record<CatalogueKind, { label: string; option: string }> = {
  dataset: { label: "dataset", option: "--dataset" },
  transferMethod: { label: "transfer method", option: "--method" },
  trainer: { label: "trainer", option: "--trainer" },
  faceModel: { label: "face model", option: "--model" },
  benchmark: { label: "benchmark", option: "--benchmark" },
};

// Each list answers as `entries`; the archivable ones take $archived.
type Archivable = "dataset" | "transferMethod";
const ARCHIVABLE_LISTS: Record<Archivable, Document<{ entries: Entry[] }, { archived?: boolean | null }>> = {
  dataset: graphql(`query DatasetNames($archived: Boolean) { entries: datasets(includeArchived: $archived) { id name } }`),
  transferMethod: graphql(`query TransferMethodNames($archived: Boolean) { entries: transferMethods(includeArchived: $archived) { id name } }`),
};
const PLAIN_LISTS: Record<Exclude<CatalogueKind, Archivable>, Document<{ entries: Entry[] }, Record<string, never>>> = {
  trainer: graphql(`query TrainerNames { entries: trainers { id name } }`),
  faceModel: graphql(`query FaceModelNames { entries: faceModels { id name } }`),
  benchmark: graphql(`query BenchmarkNames { entries: benchmarks { id name } }`),
};

export class NameResolver {
  private readonly lists = new Map<CatalogueKind, Promise<Entry[]>>();

  /** `archived`: archived datasets and methods are found too (to restore or edit them). */
  constructor(
    private readonly client: GraphQLClient,
    private readonly options: { archived?: boolean } = {},
  ) {}

  private list(kind: CatalogueKind): Promise<Entry[]> {
    let entries = this.lists.get(kind);
    if (!entries) {
      const answer =
        kind === "dataset" || kind === "transferMethod"
          ? this.client.request(ARCHIVABLE_LISTS[kind], this.options.archived ? { archived: true } : {})
          : this.client.request(PLAIN_LISTS[kind], {});
      entries = answer.then((data) => data.entries);
      this.lists.set(kind, entries);
    }
    return entries;
  }

  /** The entry `value` names (an id or a name). */
  async resolve(kind: CatalogueKind, value: string): Promise<Entry> {
    const entries = await this.list(kind);
    const wanted = value.trim();
    const exact = entries.find((e) => e.id === wanted) ?? entries.find((e) => e.name === wanted);
    if (exact) return exact;
    const folded = entries.filter((e) => e.name.toLowerCase() === wanted.toLowerCase());
    if (folded.length === 1) return folded[0]!;
    const { label, option } = LISTS[kind];
    if (folded.length > 1) {
      throw new UsageError(`${option}: "${value}" matches several ${label}s (${folded.map((e) => `${e.name} ${e.id}`).join(", ")}); give the exact name or the id`);
    }
    const known = entries.map((e) => e.name).sort((a, b) => a.localeCompare(b));
    const hint = known.length ? `known ${label}s: ${known.slice(0, 30).join(", ")}${known.length > 30 ? ", ..." : ""}` : `no ${label}s are registered`;
    throw new UsageError(`${option}: no ${label} is named "${value}" (or has that id); ${hint}`);
  }

  async id(kind: CatalogueKind, value: string): Promise<string> {
    return (await this.resolve(kind, value)).id;
  }
}
