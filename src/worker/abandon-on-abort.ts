// A cancelled job must free its worker slot whatever the job is blocked on (a read
// that never returns, a native call): once the signal aborts, the job gets a grace
// period to stop on its own, and is then abandoned. Its promise is left to settle
// in the background, and its result is ignored.

export class JobAbandoned extends Error {
  override name = "JobAbandoned";
}

export function abandonOnAbort<T>(work: Promise<T>, signal: AbortSignal, graceMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | null = null;
    const onAbort = () => {
      timer = setTimeout(() => reject(new JobAbandoned(`the job did not stop within ${graceMs} ms of being stopped; abandoned`)), graceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => {
      if (timer) clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    });
  });
}
