import { useEffect, useRef } from "react";
import { useLiveConnection } from "./hooks";
import { Link, match, useLocation } from "./router";
import { DatasetsPage } from "./pages/Datasets";
import { LaunchPage } from "./pages/Launch";
import { LeaderboardPage } from "./pages/Leaderboard";
import { MethodsPage } from "./pages/Methods";
import { PipelineDetailPage, PipelinesPage } from "./pages/Pipelines";
import { QualitativePage } from "./pages/Qualitative";
import { RunDetailPage } from "./pages/RunDetail";
import { RunsPage } from "./pages/Runs";
import { Empty } from "./components/States";
import { TokenControl } from "./components/TokenControl";

const NAV = [
  { to: "/leaderboard", label: "Leaderboard", active: (p: string) => p === "/" || p.startsWith("/leaderboard") },
  { to: "/runs", label: "Runs", active: (p: string) => p.startsWith("/runs") && !p.endsWith("/qualitative") },
  { to: "/pipelines", label: "Pipelines", active: (p: string) => p.startsWith("/pipelines") },
  { to: "/datasets", label: "Datasets", active: (p: string) => p.startsWith("/datasets") },
  { to: "/methods", label: "Transfer methods", active: (p: string) => p.startsWith("/methods") },
  { to: "/qualitative", label: "Qualitative", active: (p: string) => p.startsWith("/qualitative") || p.endsWith("/qualitative") },
  { to: "/launch", label: "Launch", active: (p: string) => p.startsWith("/launch") },
];

function Page({ path }: { path: string }) {
  let params: Record<string, string> | null;
  if (path === "/" || path === "/leaderboard") return <LeaderboardPage />;
  if (path === "/runs") return <RunsPage />;
  if ((params = match("/runs/:id", path))) return <RunDetailPage id={params.id!} />;
  if ((params = match("/runs/:id/qualitative", path))) return <QualitativePage runId={params.id!} />;
  if (path === "/qualitative") return <QualitativePage runId={null} />;
  if (path === "/pipelines") return <PipelinesPage />;
  if ((params = match("/pipelines/:id", path))) return <PipelineDetailPage id={params.id!} />;
  if (path === "/datasets") return <DatasetsPage />;
  if (path === "/methods") return <MethodsPage />;
  if (path === "/launch") return <LaunchPage />;
  return (
    <Empty title="Page not found">
      <p>
        Nothing lives at <code>{path}</code>. Go to the <Link to="/leaderboard">leaderboard</Link>.
      </p>
    </Empty>
  );
}

export function App() {
  const { path } = useLocation();
  const connected = useLiveConnection();
  const main = useRef<HTMLElement>(null);
  // Move focus to the new page's content after client-side navigation.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [path]);

  return (
    <div className="layout">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/leaderboard" className="brand">
          <img src="/favicon.svg" alt="" width={24} height={24} /> RealismLab
        </Link>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.to}>
                <Link to={item.to} aria-current={item.active(path) ? "page" : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <TokenControl />
        <span className={`live-indicator ${connected ? "live-on" : "live-off"}`} title={connected ? "Live updates connected" : "Live updates connect when a page subscribes"}>
          <span aria-hidden="true">●</span> {connected ? "live" : "idle"}
        </span>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Page path={path} />
      </main>
    </div>
  );
}
