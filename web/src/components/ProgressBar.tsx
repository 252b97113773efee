import { formatDuration, formatNumber } from "../format";

export interface Progress {
  done?: number | null;
  total?: number | null;
  phase?: string | null;
  rate?: number | null;
  etaSeconds?: number | null;
  fraction?: number | null;
}

/** A live progress bar: percentage, done/total, rate and ETA. */
export function ProgressBar({ progress, status, label }: { progress: Progress | null | undefined; status: string; label: string }) {
  const p = progress ?? {};
  const fraction = p.fraction ?? (p.done != null && p.total ? p.done / p.total : status === "SUCCEEDED" ? 1 : null);
  const percent = fraction == null ? null : Math.max(0, Math.min(100, Math.round(fraction * 100)));
  const active = status === "RUNNING" || status === "QUEUED";
  const details = [
    p.done != null ? `${p.done.toLocaleString("en-US")}${p.total != null ? ` / ${p.total.toLocaleString("en-US")}` : ""}` : null,
    p.phase,
    active && p.rate != null ? `${formatNumber(p.rate, 3)}/s` : null,
    active && p.etaSeconds != null ? `ETA ${formatDuration(p.etaSeconds)}` : null,
  ].filter(Boolean);
  return (
    <div className={`progress progress-${status.toLowerCase()}`}>
      <div
        className="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent ?? undefined}
        aria-valuetext={percent == null ? (status === "QUEUED" ? "queued" : "unknown") : `${percent}%`}
      >
        <div className={`progress-fill${percent == null && active ? " progress-indeterminate" : ""}`} style={{ width: percent == null ? (active ? "30%" : "0%") : `${percent}%` }} />
      </div>
      <div className="progress-text">
        <span className="progress-percent">{percent == null ? (status === "QUEUED" ? "queued" : "—") : `${percent}%`}</span>
        {details.length > 0 && <span className="muted"> · {details.join(" · ")}</span>}
      </div>
    </div>
  );
}
