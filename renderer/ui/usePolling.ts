import { useCallback, useEffect, useRef, useState } from 'react';

export type Polled<T> =
  | { phase: 'loading'; data?: undefined; error?: undefined }
  | { phase: 'ok'; data: T; error?: undefined }
  | { phase: 'error'; error: unknown; data?: T };

/**
 * Calls `fetch` now and every `intervalMs` while the page is visible and `enabled`;
 * one request at a time, the last good data kept when a refresh fails.
 */
export function usePolling<T>(
  fetch: () => Promise<T>,
  intervalMs: number,
  enabled: boolean,
): Polled<T> & { retry: () => void } {
  const [state, setState] = useState<Polled<T>>({ phase: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const fetchRef = useRef(fetch);
  useEffect(() => {
    fetchRef.current = fetch;
  });

  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      if (document.visibilityState === 'visible') {
        try {
          const data = await fetchRef.current();
          if (!stopped) setState({ phase: 'ok', data });
        } catch (error) {
          if (!stopped)
            setState((s) => ({ phase: 'error', error, data: s.phase === 'loading' ? undefined : s.data }));
        }
      }
      if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [enabled, intervalMs, attempt]);

  const retry = useCallback(() => {
    setState({ phase: 'loading' });
    setAttempt((a) => a + 1);
  }, []);
  return { ...state, retry };
}
