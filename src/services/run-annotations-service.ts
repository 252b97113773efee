// What a researcher may change on any run, finished or not: tags, notes, and
// whether it is archived (hidden from lists and the leaderboard, restorable).
// Published results (imported from papers) are edited by ADMIN tokens only.
import type { BoundStores, Stores } from "../db/stores";
import type { RunUpdatedEvent } from "../events/topics";
import type { Run } from "../generated/prisma/client";
import { badInput, required } from "../errors";
import type { AuthService, Principal } from "./auth-service";

export const MAX_TAGS_PER_RUN = 32;
export const MAX_TAG_LENGTH = 64;
export const MAX_NOTES_LENGTH = 20_000;

/** Trimmed, non-empty, printable tags of bounded length; duplicates dropped. */
export function parseTags(field: string, values: readonly string[] | null | undefined): string[] {
  if (!values) return [];
  if (values.length > MAX_TAGS_PER_RUN) throw badInput(field, `at most ${MAX_TAGS_PER_RUN} tags at once, got ${values.length}`);
  const tags = values.map((raw, i) => {
    const tag = raw.trim();
    if (!tag) throw badInput(`${field}[${i}]`, "a tag must not be empty");
    if (tag.length > MAX_TAG_LENGTH) throw badInput(`${field}[${i}]`, `a tag is at most ${MAX_TAG_LENGTH} characters, got ${tag.length}`);
    // Control characters (newlines, escapes) would garble tables and terminals.
    if (/\p{Cc}/u.test(tag)) throw badInput(`${field}[${i}]`, `${JSON.stringify(tag)} contains a control character`);
    return tag;
  });
  return [...new Set(tags)];
}

export function createRunAnnotationsService(stores: Stores, auth: AuthService) {
  /** The run, once `principal` may edit it: published results need ADMIN. */
  async function editable(principal: Principal, id: string, what: string): Promise<Run> {
    const run = required(await stores.runs.byId(id), "run", id);
    if (run.source != null) auth.authorize(principal, "ADMIN", `${what} on a published result`);
    return run;
  }

  /** A change and its runUpdated event in one transaction (subscribers refetch the run). */
  async function announced(id: string, visibility: RunUpdatedEvent["visibility"], write: (tx: BoundStores) => Promise<Run | null>): Promise<Run> {
    return stores.transaction(async (tx) => {
      const run = required(await write(tx), "run", id);
      await tx.notify("runUpdated", { runId: run.id, kind: run.kind, status: run.status, group: run.group, ...(visibility ? { visibility } : {}) });
      return run;
    });
  }

  return {
    async changeTags(principal: Principal, id: string, change: { add?: string[] | null; remove?: string[] | null }): Promise<Run> {
      const add = parseTags("add", change.add);
      const remove = parseTags("remove", change.remove);
      if (!add.length && !remove.length) throw badInput("add", "give tags to add or to remove");
      await editable(principal, id, "tagging");
      return announced(id, undefined, async (tx) => {
        const { run, tooMany } = await tx.runs.changeTags(id, add, remove, MAX_TAGS_PER_RUN);
        if (tooMany) throw badInput("add", `a run carries at most ${MAX_TAGS_PER_RUN} tags; remove some first`);
        return run;
      });
    },

    async setNotes(principal: Principal, id: string, notes: string | null | undefined): Promise<Run> {
      const text = notes?.trim() ?? "";
      if (text.length > MAX_NOTES_LENGTH) throw badInput("notes", `must be at most ${MAX_NOTES_LENGTH} characters, got ${text.length}`);
      await editable(principal, id, "notes");
      return announced(id, undefined, (tx) => tx.runs.updateAnnotations(id, { notes: text || null }));
    },

    async setArchived(principal: Principal, id: string, archived: boolean): Promise<Run> {
      const run = await editable(principal, id, archived ? "archiving" : "restoring");
      const archivedAt = archived ? (run.archivedAt ?? new Date()) : null;
      return announced(id, archived ? "ARCHIVED" : "RESTORED", (tx) => tx.runs.updateAnnotations(id, { archivedAt }));
    },
  };
}

export type RunAnnotationsService = ReturnType<typeof createRunAnnotationsService>;
