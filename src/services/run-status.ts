// The run lifecycle. Terminal states never change again (no SUCCEEDED -> RUNNING);
// RUNNING -> QUEUED is a retry after a lost worker.
import type { RunStatus } from "../generated/prisma/enums";

const ALLOWED: Record<RunStatus, readonly RunStatus[]> = {
  QUEUED: ["RUNNING", "FAILED", "CANCELLED"],
  RUNNING: ["SUCCEEDED", "FAILED", "CANCELLED", "QUEUED"],
  SUCCEEDED: [],
  FAILED: [],
  CANCELLED: [],
};

export const TERMINAL_STATUSES: readonly RunStatus[] = ["SUCCEEDED", "FAILED", "CANCELLED"];

export function isTerminal(status: RunStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return from === to || ALLOWED[from].includes(to);
}
