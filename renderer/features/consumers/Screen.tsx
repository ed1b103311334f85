import { useEffect, useState } from 'react';
import { api } from '../../api';
import { ScreenHeader } from '../../ui/ScreenHeader';
import { EmptyState } from '../../ui/States';
import { useConnections } from '../connections/store';
import { ConsumersPanel } from './ConsumersPanel';

/** Consumers across all streams or of one, sortable by lag; admin in a drawer. */
export function ConsumersScreen() {
  const connected = useConnections((s) => s.status.state === 'connected');
  const [stream, setStream] = useState('');
  const [streams, setStreams] = useState<string[]>([]);
  useEffect(() => {
    if (!connected) return;
    api
      .call('streams.list', { sort: 'name' })
      .then((r) => setStreams(r.streams.map((s) => s.name)))
      .catch(() => setStreams([]));
  }, [connected]);
  return (
    <section className="screen wide-screen" data-testid="consumers-screen">
      <ScreenHeader
        title="Consumers"
        subtitle="Delivery state of every consumer: pending, ack pending, redelivered, waiting pulls."
        actions={
          connected && (
            <select
              value={stream}
              onChange={(e) => setStream(e.target.value)}
              aria-label="Stream"
              data-testid="consumers-stream"
            >
              <option value="">All streams</option>
              {streams.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          )
        }
      />
      {!connected ? (
        <EmptyState title="Not connected" testId="consumers-disconnected">
          <p>Connect to a NATS server on the Connections screen to see its consumers.</p>
        </EmptyState>
      ) : (
        <ConsumersPanel key={stream || '*'} stream={stream || undefined} />
      )}
      {connected && !stream && <p className="muted small">Pick a stream to create a consumer on it.</p>}
    </section>
  );
}
