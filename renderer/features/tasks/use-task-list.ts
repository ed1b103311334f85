import { useCallback, useEffect, useRef, useState } from 'react';
import type { TaskSummary } from '../../../api/features/tasks';
import { api } from '../../api';
import { useTasks, type TaskFilter } from './store';

const PAGE = 200;
const MAX_REFRESH = 1000;
/** Live updates arrive every ~100 ms under load; refetching at most this often keeps the UI calm. */
const REFRESH_DEBOUNCE_MS = 300;

export type ListPhase = 'loading' | 'ok' | 'error';

/**
 * The task table's rows: newest first, cursor paging for older ones, and a debounced refetch
 * of the visible window whenever the core reports changed tasks. Rows below the refetched
 * window are kept as they were until scrolled to (then they are refetched too).
 */
export function useTaskList(filter: TaskFilter, enabled: boolean) {
  const [rows, setRows] = useState<TaskSummary[]>([]);
  const [next, setNext] = useState<string>();
  const [phase, setPhase] = useState<ListPhase>('loading');
  const [error, setError] = useState<unknown>();
  const [loadingMore, setLoadingMore] = useState(false);
  const version = useTasks((s) => s.version);
  const rowsRef = useRef(rows);
  rowsRef.current = rows;
  const nextRef = useRef(next);
  nextRef.current = next;
  const windowRef = useRef({ start: 0, end: 50 });
  const gen = useRef(0);
  const filterKey = JSON.stringify(filter);

  const query = useCallback(
    (cursor: string | undefined, limit: number) =>
      api.call('tasks.list', {
        status: filter.status,
        type: filter.type || undefined,
        q: filter.q || undefined,
        limit,
        cursor,
      }),
    // filterKey stands for filter's fields.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [filterKey],
  );

  /** Refetches rows from index `from` on and splices them in, keeping older rows beyond the window. */
  const refresh = useCallback(async () => {
    const my = gen.current;
    const cur = rowsRef.current;
    const from = Math.max(0, Math.min(windowRef.current.start - 20, cur.length));
    const limit = Math.min(MAX_REFRESH, Math.max(PAGE, windowRef.current.end - from + 50));
    const cursor = from > 0 ? String(cur[from - 1].seq) : undefined;
    try {
      const r = await query(cursor, limit);
      if (my !== gen.current) return;
      const latest = rowsRef.current;
      const full = r.tasks.length === limit;
      const oldest = r.tasks[r.tasks.length - 1]?.seq ?? Infinity;
      const kept = full ? latest.filter((t) => t.seq < oldest) : [];
      setRows([...latest.slice(0, from), ...r.tasks, ...kept]);
      setNext(kept.length ? nextRef.current : r.next);
      useTasks.getState().set({ counts: r.counts, ready: r.ready, index: r.index });
      setPhase('ok');
      setError(undefined);
    } catch (err) {
      if (my !== gen.current) return;
      setError(err);
      setPhase('error');
    }
  }, [query]);

  // First page, again whenever the filter changes.
  useEffect(() => {
    if (!enabled) return;
    gen.current++;
    const my = gen.current;
    setPhase('loading');
    setRows([]);
    setNext(undefined);
    windowRef.current = { start: 0, end: 50 };
    query(undefined, PAGE).then(
      (r) => {
        if (my !== gen.current) return;
        setRows(r.tasks);
        setNext(r.next);
        useTasks.getState().set({ counts: r.counts, ready: r.ready, index: r.index });
        setPhase('ok');
      },
      (err: unknown) => {
        if (my !== gen.current) return;
        setError(err);
        setPhase('error');
      },
    );
  }, [query, enabled]);

  // Live updates: one refetch per quiet period, not one per event.
  useEffect(() => {
    if (!enabled || version === 0) return;
    const t = setTimeout(() => void refresh(), REFRESH_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [version, enabled, refresh]);

  const loadMore = useCallback(async () => {
    const cursor = nextRef.current;
    if (!cursor || loadingMore) return;
    const my = gen.current;
    setLoadingMore(true);
    try {
      const r = await query(cursor, PAGE);
      if (my !== gen.current) return;
      const seen = new Set(rowsRef.current.map((t) => t.id));
      setRows([...rowsRef.current, ...r.tasks.filter((t) => !seen.has(t.id))]);
      setNext(r.next);
    } catch (err) {
      if (my === gen.current) setError(err);
    } finally {
      setLoadingMore(false);
    }
  }, [query, loadingMore]);

  const setWindow = useCallback((start: number, end: number) => {
    windowRef.current = { start, end };
  }, []);

  const reload = useCallback(() => {
    setPhase('loading');
    void refresh();
  }, [refresh]);

  return { rows, next, phase, error, loadingMore, loadMore, setWindow, reload };
}
