// Who is calling, and may they? Tokens carry scopes (READ, WRITE, LAUNCH, ADMIN)
// and may be limited to one run (a trainer's token). The GraphQL layer asks
// `authorize` before every field in the policy (src/graphql/authorization.ts).
import type { Stores } from "../db/stores";
import type { TokenScope } from "../generated/prisma/enums";
import { AppError, badInput, notFound } from "../errors";
import { generateTokenSecret, hashTokenSecret, secretFromHeader } from "../auth/token-secret";

export interface Principal {
  tokenId: string | null;
  name: string;
  scopes: ReadonlySet<TokenScope>;
  /** Set when the token may only touch this run. */
  runId: string | null;
}

export const ANONYMOUS: Principal = { tokenId: null, name: "anonymous", scopes: new Set(), runId: null };

/** Everyone is everything when auth is off (single-user local mode). */
export const UNRESTRICTED: Principal = { tokenId: null, name: "local", scopes: new Set(["ADMIN"]), runId: null };

const IMPLIED: Record<TokenScope, TokenScope[]> = {
  ADMIN: ["ADMIN", "LAUNCH", "WRITE", "READ"],
  LAUNCH: ["LAUNCH", "READ"],
  WRITE: ["WRITE", "READ"],
  READ: ["READ"],
};

export function hasScope(principal: Principal, scope: TokenScope): boolean {
  return [...principal.scopes].some((held) => IMPLIED[held].includes(scope));
}

export interface AuthSettings {
  required: boolean;
  readsPublic: boolean;
}

export function createAuthService(stores: Stores, settings: AuthSettings) {
  return {
    settings,

    /** The principal behind an Authorization header; a token given but not valid is refused. */
    async authenticate(header: unknown): Promise<Principal> {
      if (!settings.required) return UNRESTRICTED;
      if (header == null || header === "") return ANONYMOUS;
      const secret = secretFromHeader(header);
      const token = secret ? await stores.tokens.byHash(hashTokenSecret(secret)) : null;
      if (!token || token.revokedAt || (token.expiresAt && token.expiresAt < new Date())) {
        throw new AppError("UNAUTHENTICATED", "the API token is not valid (unknown, revoked or expired)");
      }
      void stores.tokens.touch(token.id).catch(() => undefined);
      return { tokenId: token.id, name: token.name, scopes: new Set(token.scopes), runId: token.runId };
    },

    /** Throws UNAUTHENTICATED / FORBIDDEN unless `principal` may do `what` (on `runId`). */
    authorize(principal: Principal, scope: TokenScope | "PUBLIC_READ", what: string, runId?: string | null): void {
      if (scope === "PUBLIC_READ") {
        if (settings.readsPublic) return;
        scope = "READ";
      }
      if (hasScope(principal, scope)) {
        if (principal.runId && scope !== "READ" && runId !== principal.runId) {
          throw new AppError("FORBIDDEN", `${what}: this token is limited to run ${principal.runId}`);
        }
        return;
      }
      if (!principal.tokenId) throw new AppError("UNAUTHENTICATED", `${what} needs an API token with the ${scope} scope (Authorization: Bearer <token>)`);
      throw new AppError("FORBIDDEN", `${what} needs the ${scope} scope; token "${principal.name}" has ${[...principal.scopes].join(", ") || "none"}`);
    },

    async createToken(input: { name: string; scopes: TokenScope[]; runId?: string | null; expiresInDays?: number | null }) {
      const name = input.name.trim();
      if (!name) throw badInput("name", "must not be empty");
      if (!input.scopes.length) throw badInput("scopes", "give at least one scope");
      if (input.expiresInDays != null && !(input.expiresInDays > 0)) throw badInput("expiresInDays", "must be positive");
      const secret = generateTokenSecret();
      const record = await stores.tokens.create({
        name,
        tokenHash: hashTokenSecret(secret),
        scopes: [...new Set(input.scopes)],
        runId: input.runId ?? null,
        expiresAt: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null,
      });
      return { secret, record };
    },

    listTokens: () => stores.tokens.list(),
    countTokens: () => stores.tokens.count(),

    async revokeToken(id: string) {
      if (!(await stores.tokens.revoke(id).catch(() => false))) throw notFound("active API token", id);
      return true;
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;

/**
 * Mints a token that may write to one run only (a trainer's, or a remote job's that reports
 * through the API). It is revoked when the run ends or goes back to the queue, and expires
 * after `lifetimeHours` regardless.
 */
export function runTokenMinter(auth: AuthService, lifetimeHours: number) {
  return async (runId: string) =>
    (await auth.createToken({ name: `run ${runId}`, scopes: ["WRITE"], runId, expiresInDays: lifetimeHours / 24 })).secret;
}
