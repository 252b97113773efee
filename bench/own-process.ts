// Runs one bench in a Node process of its own and hands its result back: a bench measured
// after another one in the same process would pay for that one's garbage, compiled code
// and freed memory in its tail (issue 16's runs table measured 20 ms p95 alone and 29-38 ms
// right after the 100k leaderboard bench in the same process).
import { fork } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";

const BENCHES = {
  leaderboard: () => import("./leaderboard"),
  ingest: () => import("./ingest-and-runs-query"),
  "runs-table": () => import("./runs-table"),
} as const;
export type IsolatedBench = keyof typeof BENCHES;

/** `run()` of the named bench, in a child process (its output goes to this one's). */
export function runInOwnProcess<T>(name: IsolatedBench, env: Record<string, string> = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [name], { execArgv: ["--import", "tsx"], env: { ...process.env, ...env } });
    let result: { ok: true; value: T } | { ok: false; error: string } | null = null;
    child.on("message", (message) => (result = message as typeof result));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (result?.ok) resolve(result.value);
      else reject(new Error(`bench ${name} (own process) failed: ${result && !result.ok ? result.error : `exit code ${code}`}`));
    });
  });
}

// The child: runs the bench named on its command line and sends the result to the parent.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.send) {
  const name = process.argv[2] as IsolatedBench;
  const load = BENCHES[name];
  const send = (message: unknown) => new Promise<void>((done) => process.send!(message, () => done()));
  try {
    if (!load) throw new Error(`unknown bench ${name}`);
    const bench = (await load()) as { run(options?: { log?: (line: string) => void }): Promise<unknown> };
    await send({ ok: true, value: await bench.run({ log: (line) => console.log(line) }) });
  } catch (error) {
    await send({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
  process.disconnect();
}
