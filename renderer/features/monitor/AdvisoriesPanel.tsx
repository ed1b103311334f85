import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState, type CSSProperties } from 'react';
import { ADVISORY_KINDS, type Advisory, type AdvisoryKind } from '../../../api/features/monitor';
import { api } from '../../api';
import { formatCount } from '../../ui/format';
import { JsonView } from '../../ui/JsonView';
import { toastError, toastInfo } from '../toasts/store';
import { clearAdvisories, setPaused, useMonitor } from './store';

const ROW_H = 34;

/** Small stroke icons (24-unit viewBox), one per group of kinds; no icon package needed. */
const ICON_PATHS = {
  stop: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM5.6 5.6l12.8 12.8',
  back: 'M9 14 4 9l5-5M4 9h10a6 6 0 0 1 0 12h-3',
  cross: 'M6 6l12 12M18 6 6 18',
  plus: 'M12 5v14M5 12h14',
  minus: 'M5 12h14',
  edit: 'M4 20h4L19 9l-4-4L4 16zM13 7l4 4',
  star: 'M12 3l2.7 5.6 6.1.9-4.4 4.3 1 6.1L12 17l-5.4 2.9 1-6.1-4.4-4.3 6.1-.9z',
  alert: 'M12 3 2 20h20zM12 10v4M12 17h.01',
  disk: 'M4 6c0-1.7 3.6-3 8-3s8 1.3 8 3v12c0 1.7-3.6 3-8 3s-8-1.3-8-3zM4 6c0 1.7 3.6 3 8 3s8-1.3 8-3',
  api: 'M8 6l-5 6 5 6M16 6l5 6-5 6',
  server: 'M4 4h16v6H4zM4 14h16v6H4zM8 7h.01M8 17h.01',
  dot: 'M12 10a2 2 0 1 0 0 4 2 2 0 0 0 0-4z',
} as const;

/** Label and icon per kind. */
export const KIND_INFO: Record<AdvisoryKind, { label: string; icon: keyof typeof ICON_PATHS }> = {
  max_deliver: { label: 'Max deliveries', icon: 'stop' },
  nak: { label: 'Nak', icon: 'back' },
  terminated: { label: 'Terminated', icon: 'cross' },
  consumer_created: { label: 'Consumer created', icon: 'plus' },
  consumer_deleted: { label: 'Consumer deleted', icon: 'minus' },
  consumer_updated: { label: 'Consumer updated', icon: 'edit' },
  stream_created: { label: 'Stream created', icon: 'plus' },
  stream_deleted: { label: 'Stream deleted', icon: 'minus' },
  stream_updated: { label: 'Stream updated', icon: 'edit' },
  leader_elected: { label: 'Leader elected', icon: 'star' },
  quorum_lost: { label: 'Quorum lost', icon: 'alert' },
  out_of_storage: { label: 'Out of storage', icon: 'disk' },
  api_audit: { label: 'API audit', icon: 'api' },
  server: { label: 'Server event', icon: 'server' },
  other: { label: 'Other', icon: 'dot' },
};

function KindIcon({ kind }: { kind: AdvisoryKind }) {
  return (
    <svg
      className="advisory-icon"
      width={15}
      height={15}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={2}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      <path d={ICON_PATHS[KIND_INFO[kind].icon]} />
    </svg>
  );
}

function matches(a: Advisory, kind: AdvisoryKind | '', needle: string): boolean {
  if (kind && a.kind !== kind) return false;
  if (!needle) return true;
  return `${a.subject}\n${a.summary}\n${a.stream ?? ''}\n${a.consumer ?? ''}\n${JSON.stringify(a.data)}`
    .toLowerCase()
    .includes(needle);
}

/** Live advisory feed, newest first: filter by kind, search, pause, export as JSON Lines. */
export function AdvisoriesPanel() {
  const advisories = useMonitor((s) => s.advisories);
  const held = useMonitor((s) => s.held.length);
  const paused = useMonitor((s) => s.paused);
  const dropped = useMonitor((s) => s.advisoriesDropped);
  const systemFeed = useMonitor((s) => s.source?.capabilities.systemAdvisories ?? false);
  const [kind, setKind] = useState<AdvisoryKind | ''>('');
  const [q, setQ] = useState('');
  const [selected, setSelected] = useState<number>();
  const needle = q.trim().toLowerCase();
  const shown = useMemo(() => advisories.filter((a) => matches(a, kind, needle)), [advisories, kind, needle]);
  const counts = useMemo(() => {
    const c = new Map<AdvisoryKind, number>();
    for (const a of advisories) c.set(a.kind, (c.get(a.kind) ?? 0) + 1);
    return c;
  }, [advisories]);
  const scroller = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_H,
    overscan: 10,
  });
  const current = selected === undefined ? undefined : advisories.find((a) => a.seq === selected);

  const exportJsonl = async () => {
    try {
      const { jsonl, count } = await api.call('monitor.advisories.export', {
        filter: kind ? { kinds: [kind] } : {},
        q: needle || undefined,
      });
      const url = URL.createObjectURL(new Blob([jsonl], { type: 'application/x-ndjson' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `jetdeck-advisories-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      toastInfo('Advisories exported', `${count} advisories as JSON Lines`);
    } catch (err) {
      toastError('Could not export advisories', err);
    }
  };

  return (
    <div className="monitor-panel advisories" data-testid="monitor-advisories">
      <div className="charts-toolbar">
        <select
          aria-label="Filter by kind"
          value={kind}
          onChange={(e) => setKind(e.target.value as AdvisoryKind | '')}
          data-testid="advisory-kind-filter"
          className="advisory-kind-select"
        >
          <option value="">All kinds ({formatCount(advisories.length)})</option>
          {ADVISORY_KINDS.map((k) => (
            <option key={k} value={k}>
              {KIND_INFO[k].label}
              {counts.get(k) ? ` (${counts.get(k)})` : ''}
            </option>
          ))}
        </select>
        <input
          type="search"
          placeholder="Search subject, summary, JSON…"
          aria-label="Search advisories"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          data-testid="advisory-search"
          className="advisory-search"
        />
        <span className="spacer" />
        <button
          className={`btn small${paused ? ' primary' : ''}`}
          onClick={() => setPaused(!paused)}
          data-testid="advisory-pause"
          aria-pressed={paused}
        >
          {paused ? `Resume${held ? ` (${held} new)` : ''}` : 'Pause'}
        </button>
        <button className="btn small" onClick={() => void exportJsonl()} data-testid="advisory-export">
          Export JSONL
        </button>
        <button
          className="btn small ghost"
          onClick={() => void clearAdvisories().catch((err: unknown) => toastError('Could not clear', err))}
          data-testid="advisory-clear"
        >
          Clear
        </button>
      </div>
      <div className="muted small">
        {formatCount(shown.length)} shown · newest first ·{' '}
        {systemFeed ? 'account + system advisories' : 'account advisories'}
        {dropped > 0 && ` · ${formatCount(dropped)} older dropped from the session buffer`}
      </div>
      <div className="advisory-layout">
        <div className="advisory-scroll" ref={scroller} data-testid="advisory-list">
          {shown.length === 0 ? (
            <p className="muted advisory-empty" data-testid="advisory-empty">
              {advisories.length
                ? 'No advisory matches the filter.'
                : 'No advisories yet. They appear here as JetStream reports deliveries, naks, lifecycle changes and leader elections.'}
            </p>
          ) : (
            <div style={{ height: v.getTotalSize(), position: 'relative' }}>
              {v.getVirtualItems().map((it) => {
                const a = shown[it.index];
                return (
                  <AdvisoryRow
                    key={a.seq}
                    a={a}
                    selected={a.seq === selected}
                    onSelect={() => setSelected(a.seq === selected ? undefined : a.seq)}
                    style={{ transform: `translateY(${it.start}px)`, height: ROW_H }}
                  />
                );
              })}
            </div>
          )}
        </div>
        {current && (
          <aside className="advisory-detail card" data-testid="advisory-detail">
            <div className="card-head">
              <h2>
                <KindIcon kind={current.kind} /> {KIND_INFO[current.kind].label}
              </h2>
              <button className="btn small ghost" onClick={() => setSelected(undefined)} aria-label="Close">
                ✕
              </button>
            </div>
            <dl className="kv compact">
              <dt>Time</dt>
              <dd>{new Date(current.time).toLocaleString()}</dd>
              <dt>Type</dt>
              <dd className="mono">{current.type}</dd>
              <dt>Subject</dt>
              <dd className="mono">{current.subject}</dd>
              <dt>Origin</dt>
              <dd>{current.origin}</dd>
            </dl>
            <JsonView value={current.data} />
          </aside>
        )}
      </div>
    </div>
  );
}

function AdvisoryRow({
  a,
  selected,
  onSelect,
  style,
}: {
  a: Advisory;
  selected: boolean;
  onSelect: () => void;
  style: CSSProperties;
}) {
  const info = KIND_INFO[a.kind];
  return (
    <button
      className={`advisory-row sev-${a.severity}${selected ? ' selected' : ''}`}
      style={style}
      onClick={onSelect}
      data-testid="advisory-row"
      data-kind={a.kind}
      data-severity={a.severity}
      title={a.type}
    >
      <KindIcon kind={a.kind} />
      <span className="advisory-time mono small">{new Date(a.time).toLocaleTimeString()}</span>
      <span className="advisory-kind" data-testid="advisory-kind">
        {info.label}
      </span>
      <span className="advisory-summary ellipsis">{a.summary}</span>
    </button>
  );
}
