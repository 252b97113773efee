// Who makes a change, as the rules and the audit trail see it: the caller's token
// (name and id) and whether it holds ADMIN; or the worker itself.
import { hasScope, type Principal } from "./auth-service";

export interface Actor {
  name: string;
  tokenId: string | null;
  admin: boolean;
}

export function actorOf(principal: Principal): Actor {
  return { name: principal.name, tokenId: principal.tokenId, admin: hasScope(principal, "ADMIN") };
}

/** A worker writing what its own run produced (a trainer's metric lines). */
export function workerActor(workerName: string): Actor {
  return { name: `worker ${workerName}`, tokenId: null, admin: false };
}
