// The paper's tables as leaderboard presets. Their rule for bold: the best value
// per column within each requirement class (the real-data row and the No-Req rows),
// leaving the rows whose data needed a pre-trained FR model unmarked.
import { ACCURACY, IJBC_FMRS, tarAtFmr } from "../../domain/metric-names";
import type { LeaderboardBestInput, LeaderboardColumnInput, LeaderboardPreset } from "./types";

export interface Preset {
  columns: LeaderboardColumnInput[];
  best: LeaderboardBestInput;
  average: boolean;
}

const PAPER_BEST: LeaderboardBestInput = { scope: "PER_REQUIREMENT", skipRequirements: ["PRETRAINED_FR"] };

/** How the paper heads Table 3's columns (numpy's float printing of the FMRs). */
export function paperFmrLabel(fmr: number): string {
  return fmr < 1e-3 ? fmr.toExponential().replace(/e-(\d)$/, "e-0$1") : String(fmr);
}

export const PRESETS: Record<LeaderboardPreset, Preset> = {
  PAPER_TABLE_2: {
    columns: ["LFW", "CFP-FP", "CPLFW", "CALFW", "AgeDB-30"].map((benchmark) => ({ benchmark, metric: ACCURACY })),
    best: PAPER_BEST,
    average: true,
  },
  PAPER_TABLE_3: {
    columns: IJBC_FMRS.map((fmr) => ({ benchmark: "IJB-C", metric: tarAtFmr(fmr), label: paperFmrLabel(fmr) })),
    best: PAPER_BEST,
    average: false,
  },
};
