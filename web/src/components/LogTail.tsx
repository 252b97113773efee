// A run's log: the tail, live through runLog, following new lines (kept scrolled to the
// bottom unless the reader scrolled up; "Follow" brings it back). And a failed run's cause:
// its last output lines (stderr marked), not the command line the worker echoed first.
import { useLayoutEffect, useMemo, useRef, useState } from "react";
import { useQuery, useReconnect, useSubscription } from "../hooks";
import { ErrorMessage, Loading } from "./States";
import { graphql } from "../generated/graphql";
import type { LogQuery } from "../generated/graphql/graphql";

const LOG_QUERY = graphql(`query Log($id: ID!) { run(id: $id) { id logTail(lines: 200) { stream line at } } }`);
const LOG_LIVE = graphql(`subscription LiveLog($id: ID!) { runLog(runId: $id) { runId lines { stream line at } } }`);

export type LogLine = NonNullable<LogQuery["run"]>["logTail"][number];
/** Within this many pixels of the bottom counts as "at the bottom" (following). */
const STICKY_PX = 24;
const CAUSE_LINES = 12;

export function LogTail({ runId, active }: { runId: string; active: boolean }) {
  const initial = useQuery(LOG_QUERY, { id: runId });
  const [extra, setExtra] = useState<LogLine[]>([]);
  useSubscription(LOG_LIVE, { id: runId }, (event) => setExtra((lines) => [...lines, ...event.runLog.lines].slice(-500)), { skip: !active });
  useReconnect(() => { setExtra([]); initial.refetch(); });
  const lines = useMemo(() => {
    const base = initial.data?.run?.logTail ?? [];
    const last = base[base.length - 1]?.at;
    return [...base, ...extra.filter((l) => !last || l.at > last)].slice(-500);
  }, [initial.data, extra]);
  const pre = useRef<HTMLPreElement>(null);
  const [follow, setFollow] = useState(true);
  useLayoutEffect(() => {
    if (follow && pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  }, [lines, follow]);
  const onScroll = () => {
    const el = pre.current;
    if (el) setFollow(el.scrollHeight - el.scrollTop - el.clientHeight <= STICKY_PX);
  };

  if (initial.loading) return <Loading what="Loading the log" />;
  if (initial.error) return <ErrorMessage error={initial.error} retry={initial.refetch} title="The log could not be loaded" />;
  if (!lines.length) return <p className="muted">{active ? "No output yet; new lines appear here as the run prints them." : "This run printed nothing."}</p>;
  return (
    <div>
      <pre ref={pre} className="log" tabIndex={0} aria-label="Log tail" aria-live={active ? "polite" : undefined} onScroll={onScroll} data-following={follow}>
        {lines.map((l, i) => <span key={i} className={`log-${l.stream}`}>{l.line}{"\n"}</span>)}
      </pre>
      {!follow && (
        <button type="button" className="log-follow" onClick={() => setFollow(true)}>
          Follow new lines
        </button>
      )}
    </div>
  );
}

/** "trainer exited with code 1; last lines:\n..." -> "trainer exited with code 1". */
function summaryOf(error: string): string {
  return error.split("\n")[0]!.replace(/;?\s*last lines:\s*$/, "");
}

/** A failed (or cancelled) run's error: its summary and the last lines the run itself printed. */
export function FailureCause({ runId, status, error, withLog }: { runId: string; status: string; error: string; withLog: boolean }) {
  const log = useQuery(LOG_QUERY, { id: runId }, { skip: !withLog || status !== "FAILED" });
  // The worker's own lines ("$ command", "trainer exited with ...") are not the cause.
  const output = (log.data?.run?.logTail ?? []).filter((l) => l.stream !== "system").slice(-CAUSE_LINES);
  return (
    <div className="state state-error failure" role="alert">
      <strong>{status === "FAILED" ? "Failed" : "Error"}</strong>
      {output.length > 0 ? (
        <>
          <p className="failure-summary">{summaryOf(error)}</p>
          <p className="muted small">Last lines it printed:</p>
          <pre className="log failure-lines" aria-label="Last log lines">
            {output.map((l, i) => <span key={i} className={`log-${l.stream}`}>{l.line}{"\n"}</span>)}
          </pre>
        </>
      ) : (
        <pre className="error-pre">{error}</pre>
      )}
    </div>
  );
}
