import { NotConnected } from '../connections/NotConnected';
import { useState } from 'react';
import { Icon } from '../../ui/Icon';
import { ScreenHeader } from '../../ui/ScreenHeader';
import { EmptyState, ErrorState, Skeleton } from '../../ui/States';
import { formatCount } from '../../ui/format';
import { useConnections } from '../connections/store';
import { errorMessage } from './format';
import { PAGE_SIZE, useStreams } from './store';
import { BackupsButton } from './Backups';
import { StreamDetail } from './StreamDetail';
import { StreamEditor } from './StreamEditor';
import { StreamTable } from './StreamTable';
import { useStreamList } from './useStreamList';
import './streams.css';
import { SearchBox } from '../../ui/SearchBox';

/** Every stream of the account: server-paged, searchable, sortable; detail and admin in a drawer. */
export function StreamsScreen() {
  const connected = useConnections((s) => s.status.state === 'connected');
  const { reload } = useStreamList(connected);
  const result = useStreams((s) => s.result);
  const error = useStreams((s) => s.error);
  const loading = useStreams((s) => s.loading);
  const query = useStreams((s) => s.query);
  const setQuery = useStreams((s) => s.setQuery);
  const [open, setOpen] = useState<string>();
  const [creating, setCreating] = useState(false);

  const total = result?.total ?? 0;
  const page = Math.floor(query.offset / PAGE_SIZE) + 1;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));

  return (
    <section className="screen wide-screen" data-testid="streams-screen">
      <ScreenHeader
        title="Streams"
        subtitle={
          result
            ? `${formatCount(result.accountTotal)} stream(s) in the account · server ${result.capabilities.serverVersion}`
            : 'JetStream streams of the connected account'
        }
        actions={
          <>
            <button
              className="btn"
              onClick={reload}
              disabled={!connected || loading}
              data-testid="streams-refresh"
            >
              {loading ? 'Refreshing…' : 'Refresh'}
            </button>
            <BackupsButton disabled={!connected} />
            <button
              className="btn primary"
              onClick={() => setCreating(true)}
              disabled={!connected}
              data-testid="create-stream"
            >
              <Icon name="plus" size={14} /> New stream
            </button>
          </>
        }
      />
      {!connected ? (
        <NotConnected testId="streams-disconnected">Connect to see the server's streams.</NotConnected>
      ) : (
        <>
          <div className="toolbar">
            <SearchBox
              value={query.search}
              onValue={(v) => setQuery({ search: v, offset: 0 })}
              placeholder="Search by name, subject or description"
              testId="streams-search"
            />
            {result && (
              <span className="muted small" data-testid="streams-count">
                {formatCount(total)} match{total === 1 ? '' : 'es'}
              </span>
            )}
          </div>
          {error !== undefined && !result ? (
            <ErrorState title="Could not list streams" message={errorMessage(error)} onRetry={reload} />
          ) : !result ? (
            <Skeleton rows={5} />
          ) : result.streams.length === 0 ? (
            <EmptyState title={query.search ? 'No stream matches' : 'No streams yet'} testId="streams-empty">
              <p>
                {query.search
                  ? 'Try another search.'
                  : 'Create one with “New stream”, or publish tasks to create the task streams.'}
              </p>
            </EmptyState>
          ) : (
            <>
              {error !== undefined && (
                <p className="error-text small">Refresh failed: {errorMessage(error)}</p>
              )}
              <StreamTable streams={result.streams} onOpen={setOpen} />
              {pages > 1 && (
                <div className="pager actions" data-testid="streams-pager">
                  <button
                    className="btn small"
                    disabled={page <= 1}
                    onClick={() => setQuery({ offset: query.offset - PAGE_SIZE })}
                    data-testid="streams-prev"
                  >
                    ← Previous
                  </button>
                  <span className="muted small">
                    Page {page} of {pages}
                  </span>
                  <button
                    className="btn small"
                    disabled={page >= pages}
                    onClick={() => setQuery({ offset: query.offset + PAGE_SIZE })}
                    data-testid="streams-next"
                  >
                    Next →
                  </button>
                </div>
              )}
            </>
          )}
        </>
      )}
      {open && <StreamDetail name={open} onClose={() => setOpen(undefined)} />}
      {creating && (
        <StreamEditor
          capabilities={result?.capabilities}
          onClose={() => setCreating(false)}
          onSaved={(name) => {
            setCreating(false);
            setOpen(name);
          }}
        />
      )}
    </section>
  );
}
