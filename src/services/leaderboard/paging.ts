// Leaderboard row paging: `first` rows after the row keyed `after`, over the board's
// sorted rows. The cursor is the row key (stable while the row's group exists), so a
// page does not shift when rows are added before it.
import { badInput } from "../../errors";
import type { Leaderboard, LeaderboardPageInput, LeaderboardRow } from "./types";

/** The most rows one page may ask for. */
export const MAX_LEADERBOARD_PAGE = 1000;

export function pageRows(rows: LeaderboardRow[], page: LeaderboardPageInput): Pick<Leaderboard, "rows" | "pageInfo"> {
  // Without `first`, every row (the API's answer before paging, and the exports).
  if (page.first != null && (!Number.isInteger(page.first) || page.first < 0 || page.first > MAX_LEADERBOARD_PAGE)) {
    throw badInput("first", `first must be between 0 and ${MAX_LEADERBOARD_PAGE}`);
  }
  const first = page.first ?? rows.length;
  let start = 0;
  if (page.after != null) {
    if (page.after.length > 64) throw badInput("after", "after is a row key (16 characters)");
    const at = rows.findIndex((r) => r.key === page.after);
    if (at < 0) throw badInput("after", `no row of this leaderboard has key ${JSON.stringify(page.after)}`);
    start = at + 1;
  }
  const shown = rows.slice(start, start + first);
  return {
    rows: shown,
    pageInfo: { hasNextPage: start + shown.length < rows.length, endCursor: shown.at(-1)?.key ?? page.after ?? null },
  };
}
