import { useState, type FormEvent } from "react";
import { getToken, setToken } from "../auth";
import { useCapabilities } from "../capabilities";
import { graphql } from "../generated/graphql";
import { useQuery } from "../hooks";

const VIEWER = graphql(`query Viewer { viewer { name scopes authRequired } }`);

/** The API token this browser sends; shows who the server thinks we are. */
export function TokenControl() {
  const caps = useCapabilities();
  const hasViewer = caps?.queries.has("viewer") ?? false;
  const viewer = useQuery(VIEWER, {}, { skip: !hasViewer });
  const [draft, setDraft] = useState("");
  const token = getToken();
  const v = viewer.data?.viewer;
  const summary = viewer.error ? "token refused" : v ? (v.authRequired ? (token ? v.name : "no token") : "auth off") : token ? "token set" : "no token";
  const save = (e: FormEvent) => {
    e.preventDefault();
    setToken(draft || null);
    window.location.reload(); // reconnect HTTP and subscriptions with the new token
  };
  return (
    <details className="token-control">
      <summary>API token: {summary}</summary>
      <div className="token-panel">
        {v && (
          <p className="small">
            {v.authRequired
              ? <>Signed in as <strong>{v.name}</strong>{v.scopes.length ? ` (${v.scopes.join(", ")})` : ""}. Launching needs the LAUNCH scope.</>
              : "This server does not require tokens (AUTH_REQUIRED=false)."}
          </p>
        )}
        {viewer.error && <p className="small error-text">{viewer.error.message}</p>}
        <form onSubmit={save}>
          <label htmlFor="api-token">API token</label>
          <input id="api-token" type="password" autoComplete="off" value={draft} placeholder={token ? "•••• (saved)" : "rl_…"} onChange={(e) => setDraft(e.target.value)} />
          <div className="actions">
            <button type="submit" className="primary" disabled={!draft}>Save</button>
            {token && <button type="button" onClick={() => { setToken(null); window.location.reload(); }}>Forget</button>}
          </div>
          <p className="small muted">Create one with <code>npm run token -- create --name me --scope launch</code>. Kept in this browser only.</p>
        </form>
      </div>
    </details>
  );
}
