import { useCallback, useEffect, useRef, useState } from "react";
import { onConnectionChange, onReconnect, request, subscribe, isConnected, type Document, type GraphQLRequestError, type Variables } from "./graphql";

export interface QueryState<T> {
  data: T | null;
  error: GraphQLRequestError | Error | null;
  /** True until the first answer (later refetches keep showing the previous data). */
  loading: boolean;
  refreshing: boolean;
  refetch: () => void;
}

/** Runs a query when its variables change; `refetch` runs it again without clearing data. */
export function useQuery<T, V = Variables>(query: Document<T, V>, variables: V = {} as V, options: { skip?: boolean } = {}): QueryState<T> {
  const key = JSON.stringify(variables);
  const [state, setState] = useState<{ data: T | null; error: Error | null; loading: boolean; refreshing: boolean; key: string }>({
    data: null, error: null, loading: !options.skip, refreshing: false, key,
  });
  const [tick, setTick] = useState(0);
  const refetch = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    if (options.skip) {
      setState({ data: null, error: null, loading: false, refreshing: false, key });
      return;
    }
    const controller = new AbortController();
    setState((s) => (s.key === key && s.data ? { ...s, refreshing: true } : { data: null, error: null, loading: true, refreshing: false, key }));
    request<T, V>(query, JSON.parse(key) as V, controller.signal).then(
      (data) => !controller.signal.aborted && setState({ data, error: null, loading: false, refreshing: false, key }),
      (error: Error) => !controller.signal.aborted && setState((s) => ({ data: s.key === key ? s.data : null, error, loading: false, refreshing: false, key })),
    );
    return () => controller.abort();
  }, [query, key, tick, options.skip]);

  return { data: state.data, error: state.error, loading: state.loading, refreshing: state.refreshing, refetch };
}

/** Subscribes while mounted (and `skip` is false); the handler may change freely. */
export function useSubscription<T, V = Variables>(
  query: Document<T, V>,
  variables: V,
  onData: (data: T) => void,
  options: { skip?: boolean; onError?: (error: GraphQLRequestError) => void } = {},
): void {
  const handler = useRef(onData);
  handler.current = onData;
  const errorHandler = useRef(options.onError);
  errorHandler.current = options.onError;
  const key = JSON.stringify(variables);
  useEffect(() => {
    if (options.skip) return;
    return subscribe<T, V>(query, JSON.parse(key) as V, {
      next: (data) => handler.current(data),
      error: (error) => errorHandler.current?.(error),
    });
  }, [query, key, options.skip]);
}

/** Calls `listener` after the subscription socket reconnects (events may have been lost). */
export function useReconnect(listener: () => void): void {
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => onReconnect(() => ref.current()), []);
}

export function useLiveConnection(): boolean {
  const [connected, setConnected] = useState(isConnected());
  useEffect(() => onConnectionChange(setConnected), []);
  return connected;
}

/** Collapses bursts of calls into one (e.g. refetch on many runUpdated events). */
export function useDebounced(fn: () => void, ms: number): () => void {
  const ref = useRef(fn);
  ref.current = fn;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => { if (timer.current) clearTimeout(timer.current); }, []);
  return useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => ref.current(), ms);
  }, [ms]);
}

/** Re-renders every `ms` (relative times, durations). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · RealismLab` : "RealismLab";
  }, [title]);
}
