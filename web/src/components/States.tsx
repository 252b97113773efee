import type { ReactNode } from "react";
import { GraphQLRequestError } from "../graphql";

export function Loading({ what = "Loading" }: { what?: string }) {
  return (
    <p className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {what}…
    </p>
  );
}

export function ErrorMessage({ error, retry, title = "Something went wrong" }: { error: unknown; retry?: () => void; title?: string }) {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof GraphQLRequestError ? error.code : undefined;
  return (
    <div className="state state-error" role="alert">
      <strong>{title}</strong>
      <p>
        {code && code !== "NETWORK" && <code className="error-code">{code}</code>} {message}
      </p>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children, title }: { children?: ReactNode; title: string }) {
  return (
    <div className="state state-empty">
      <strong>{title}</strong>
      {children && <div>{children}</div>}
    </div>
  );
}
