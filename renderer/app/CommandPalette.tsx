import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { ConsumerSummary, StreamSummary } from '../../api/features/streams';
import { api } from '../api';
import { useTasks } from '../features/tasks/store';
import { toastError, toastInfo } from '../features/toasts/store';
import { connectProfile, disconnect } from '../features/connections/actions';
import { useConnections } from '../features/connections/store';
import { useFocusTrap } from '../ui/focus-trap';
import { useEscape } from '../ui/Modal';
import { MOD } from './keyboard';
import { openPaletteDialog } from './palette-dialogs';
import { navigate } from '../navigation';
import { SCREENS } from './screens';
import { useTheme } from './theme';
import { useUi } from '../ui/ui-store';

interface Command {
  id: string;
  label: string;
  hint?: string;
  run: () => void;
}

function useCommands(): Command[] {
  const profiles = useConnections((s) => s.profiles);
  const status = useConnections((s) => s.status);
  const setPref = useTheme((s) => s.setPref);
  const setUi = useUi((s) => s.set);
  return useMemo(() => {
    const cmds: Command[] = SCREENS.map((s, i) => ({
      id: `go-${s.id}`,
      label: `Go to ${s.label}`,
      hint: `${MOD}+${i + 1}`,
      run: () => navigate(s.id),
    }));
    for (const p of profiles) {
      cmds.push({
        id: `connect-${p.id}`,
        label: `Connect to ${p.name}`,
        hint: p.servers[0],
        run: () => void connectProfile(p.id, p.name),
      });
    }
    if (status.state === 'connected' || status.state === 'reconnecting') {
      cmds.push({ id: 'disconnect', label: 'Disconnect', run: () => void disconnect() });
    }
    cmds.push(
      { id: 'theme-system', label: 'Theme: follow system', run: () => setPref('system') },
      { id: 'theme-light', label: 'Theme: light', run: () => setPref('light') },
      { id: 'theme-dark', label: 'Theme: dark', run: () => setPref('dark') },
      { id: 'local-log', label: 'Open local server log', run: () => setUi({ logOpen: true }) },
      {
        id: 'shortcuts',
        label: 'Show keyboard shortcuts',
        hint: '?',
        run: () => setUi({ shortcutsOpen: true }),
      },
    );
    return cmds;
  }, [profiles, status.state, setPref, setUi]);
}

/**
 * Actions, not only screens: publish, retry dead letters, purge or replay a stream, open a stream,
 * a consumer or a task by name or id.
 */
function actionCommands(
  connected: boolean,
  streams: StreamSummary[],
  consumers: ConsumerSummary[],
  query: string,
): Command[] {
  if (!connected) return [];
  const cmds: Command[] = [
    {
      id: 'publish-task',
      label: 'Publish a task',
      run: () => {
        useTasks.getState().set({ tab: 'tasks' });
        navigate('tasks');
      },
    },
    {
      id: 'retry-dead',
      label: 'Retry all dead letters',
      run: () =>
        void api.call('tasks.deadLetters.retryAll', {}).then(
          (r) =>
            toastInfo(
              `Retried ${r.retried.length} dead letter(s)`,
              r.failed.length ? `${r.failed.length} failed` : undefined,
            ),
          (err: unknown) => toastError('Could not retry dead letters', err),
        ),
    },
  ];
  for (const { name, messages } of streams) {
    cmds.push(
      {
        id: `stream-${name}`,
        label: `Open stream ${name} (browse its messages)`,
        hint: 'stream',
        run: () => navigate('messages', { stream: name }),
      },
      {
        id: `purge-${name}`,
        label: `Purge stream ${name}…`,
        hint: 'stream',
        run: () => openPaletteDialog({ kind: 'purge', stream: name, messages }),
      },
      {
        id: `replay-${name}`,
        label: `Replay messages of ${name}…`,
        hint: 'stream',
        run: () => openPaletteDialog({ kind: 'replay', stream: name }),
      },
    );
  }
  for (const c of consumers) {
    cmds.push({
      id: `consumer-${c.stream}-${c.name}`,
      label: `Open consumer ${c.name} on ${c.stream}`,
      hint: 'consumer',
      run: () => navigate('consumers', { stream: c.stream, consumer: c.name }),
    });
  }
  // Whatever is typed may be a task id: one command opens it (or says it is unknown).
  if (query && !query.includes(' ') && query.length <= 256) {
    cmds.push({
      id: 'open-task',
      label: `Open task ${query}`,
      hint: 'task id',
      run: () =>
        void api.call('tasks.get', { id: query }).then(
          () => {
            useTasks.getState().set({ tab: 'tasks', selectedId: query });
            navigate('tasks');
          },
          (err: unknown) => toastError(`No task ${query}`, err),
        ),
    });
  }
  return cmds;
}

export function CommandPalette() {
  const setUi = useUi((s) => s.set);
  const close = () => setUi({ paletteOpen: false });
  useEscape(close);
  const ref = useRef<HTMLDivElement>(null);
  useFocusTrap(ref);
  const base = useCommands();
  const [query, setQuery] = useState('');
  const [streams, setStreams] = useState<StreamSummary[]>([]);
  const [consumers, setConsumers] = useState<ConsumerSummary[]>([]);
  const connected = useConnections((s) => s.status.state === 'connected');
  useEffect(() => {
    if (!connected) return;
    api.call('streams.list', { limit: 200 }).then(
      (r) => setStreams(r.streams),
      () => setStreams([]),
    );
    api.call('consumers.list', {}).then(
      (r) => setConsumers(r.consumers.slice(0, 500)),
      () => setConsumers([]),
    );
  }, [connected]);
  const all = useMemo(() => {
    const actions = actionCommands(connected, streams, consumers, query.trim());
    // "Open task <typed text>" comes last: a screen or stream that matches wins Enter.
    return [
      ...actions.filter((c) => c.id !== 'open-task'),
      ...base,
      ...actions.filter((c) => c.id === 'open-task'),
    ];
  }, [base, connected, streams, consumers, query]);
  const [cursor, setCursor] = useState(0);
  const matches = useMemo(() => {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    return all.filter(
      (c) =>
        c.id === 'open-task' || words.every((w) => `${c.label} ${c.hint ?? ''}`.toLowerCase().includes(w)),
    );
  }, [all, query]);
  const active = Math.min(cursor, Math.max(0, matches.length - 1));
  const run = (c: Command | undefined) => {
    if (!c) return;
    close();
    c.run();
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') setCursor((active + 1) % Math.max(1, matches.length));
    else if (e.key === 'ArrowUp') setCursor((active - 1 + matches.length) % Math.max(1, matches.length));
    else if (e.key === 'Enter') run(matches[active]);
    else return;
    e.preventDefault();
  };
  return (
    <div className="overlay top" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div
        ref={ref}
        className="palette"
        role="dialog"
        aria-modal="true"
        aria-label="Command palette"
        data-testid="command-palette"
      >
        <input
          autoFocus
          className="palette-input"
          placeholder="Type a command or a screen…"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setCursor(0);
          }}
          onKeyDown={onKey}
          aria-label="Command"
          data-testid="palette-input"
        />
        <ul className="palette-list" role="listbox">
          {matches.length === 0 && <li className="muted palette-empty">No matching command</li>}
          {matches.map((c, i) => (
            <li
              key={c.id}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : undefined}
              onMouseEnter={() => setCursor(i)}
              onClick={() => run(c)}
              data-testid={`palette-${c.id}`}
            >
              <span>{c.label}</span>
              {c.hint && <span className="muted small">{c.hint}</span>}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
