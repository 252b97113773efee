import { humanize } from "../format";

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge status status-${status.toLowerCase()}`}>{humanize(status)}</span>;
}

export function Tag({ children, tone = "neutral", title }: { children: string; tone?: "neutral" | "paper" | "own" | "info" | "warn"; title?: string }) {
  return (
    <span className={`badge tag tag-${tone}`} title={title}>
      {children}
    </span>
  );
}
