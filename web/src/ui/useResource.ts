import { type DependencyList, useCallback, useEffect, useState } from 'react';

export type Resource<T> =
  | { state: 'loading'; data: T | null; error: null; reload: () => void }
  | { state: 'ready'; data: T; error: null; reload: () => void }
  | { state: 'error'; data: T | null; error: unknown; reload: () => void };

/** Loads data with an AbortController; a newer load cancels the older one. Keeps the last data while reloading. */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): Resource<T> {
  const [nonce, setNonce] = useState(0);
  const [result, setResult] = useState<{ state: 'loading' | 'ready' | 'error'; data: T | null; error: unknown }>({
    state: 'loading',
    data: null,
    error: null,
  });
  const reload = useCallback(() => setNonce((n) => n + 1), []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to reload
  useEffect(() => {
    const ctrl = new AbortController();
    setResult((r) => ({ state: 'loading', data: r.data, error: null }));
    load(ctrl.signal).then(
      (data) => {
        if (!ctrl.signal.aborted) setResult({ state: 'ready', data, error: null });
      },
      (error: unknown) => {
        if (!ctrl.signal.aborted) setResult((r) => ({ state: 'error', data: r.data, error }));
      },
    );
    return () => ctrl.abort();
  }, [...deps, nonce]);

  return { ...result, reload } as Resource<T>;
}
