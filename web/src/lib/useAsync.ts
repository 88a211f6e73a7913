import { useCallback, useEffect, useState } from 'react';

export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  /** set replaces the data, as after an update that answered with the new state. */
  set: (d: T) => void;
}

/** useAsync runs load whenever deps change (and on reload), dropping stale answers. */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): AsyncState<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  // The caller's deps decide when load is a new function, as with useEffect.
  // eslint-disable-next-line react-hooks/use-memo, react-hooks/exhaustive-deps
  const run = useCallback(load, deps);
  useEffect(() => {
    const ctl = new AbortController();
    // Loading starts with each run: the effect is where a run starts.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setLoading(true);
    run(ctl.signal).then(
      (d) => { if (!ctl.signal.aborted) { setData(d); setError(null); setLoading(false); } },
      (e: unknown) => { if (!ctl.signal.aborted) { setError(e); setLoading(false); } },
    );
    return () => ctl.abort();
  }, [run, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload, set: setData };
}
