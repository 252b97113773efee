import { useState } from "react";
import { request, GraphQLRequestError } from "../graphql";
import { useSubscription } from "../hooks";
import { isActive } from "../format";
import { ProgressBar, type Progress } from "./ProgressBar";
import { graphql } from "../generated/graphql";

const PROGRESS = graphql(`subscription Progress($runId: ID!) { runProgress(runId: $runId) { runId done total phase rate etaSeconds fraction at } }`);
const CANCEL = graphql(`mutation Cancel($id: ID!) { cancelRun(id: $id) { id status } }`);

/** A run's progress bar, fed by the runProgress subscription while the run is active. */
export function LiveProgress({ runId, status, progress, label, onStale }: {
  runId: string; status: string; progress: Progress | null | undefined; label: string;
  /** Called when progress shows the shown status is behind (work started while "queued", or all done). */
  onStale?: () => void;
}) {
  const [live, setLive] = useState<(Progress & { at: number }) | null>(null);
  useSubscription(PROGRESS, { runId }, (event) => {
    setLive((previous) => (previous && previous.at > event.runProgress.at ? previous : event.runProgress));
    if (onStale && ((status === "QUEUED" && event.runProgress.phase) || event.runProgress.fraction === 1)) onStale();
  }, { skip: !isActive(status) });
  // While the run is active the subscription is newer than the query's snapshot; once it
  // has finished, whichever got further is the final state.
  const shown = live && (isActive(status) || (live.fraction ?? 0) >= (progress?.fraction ?? 0)) ? live : progress;
  return <ProgressBar progress={shown} status={status} label={label} />;
}

/** Cancels a queued or running run; shows the API's refusal (e.g. CONFLICT) beside the button. */
export function CancelButton({ runId, status, onCancelled }: { runId: string; status: string; onCancelled?: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!isActive(status)) return null;
  const cancel = async () => {
    if (!window.confirm("Cancel this run? A running run stops within a few seconds.")) return;
    setBusy(true);
    setError(null);
    try {
      await request(CANCEL, { id: runId });
      onCancelled?.();
    } catch (e) {
      setError(e instanceof GraphQLRequestError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="cancel">
      <button type="button" className="danger" onClick={cancel} disabled={busy}>
        {busy ? "Cancelling…" : "Cancel"}
      </button>
      {error && <small className="field-error" role="alert">{error}</small>}
    </span>
  );
}
