import { NotConnected } from '../connections/NotConnected';
import { useEffect, useState } from 'react';
import { api } from '../../api';
import { routeParams, useRoute } from '../../navigation';
import { ScreenHeader } from '../../ui/ScreenHeader';
import { useConnections } from '../connections/store';
import { ConsumersPanel } from './ConsumersPanel';

/** Consumers across all streams or of one, sortable by lag; admin in a drawer. */
export function ConsumersScreen() {
  const connected = useConnections((s) => s.status.state === 'connected');
  // A link (the palette's "Open consumer") names the stream and the consumer to open.
  const [stream, setStream] = useState(() => routeParams('consumers').stream ?? '');
  const [openName, setOpenName] = useState(() => routeParams('consumers').consumer);
  const [streams, setStreams] = useState<string[]>([]);
  useEffect(
    () =>
      useRoute.subscribe(() => {
        const p = routeParams('consumers');
        if (p.stream) setStream(p.stream);
        if (p.consumer) setOpenName(p.consumer);
      }),
    [],
  );
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
        <NotConnected testId="consumers-disconnected">Connect to see the server's consumers.</NotConnected>
      ) : (
        <ConsumersPanel
          key={stream || '*'}
          stream={stream || undefined}
          openName={openName}
          onOpened={() => setOpenName(undefined)}
        />
      )}
      {connected && !stream && <p className="muted small">Pick a stream to create a consumer on it.</p>}
    </section>
  );
}
