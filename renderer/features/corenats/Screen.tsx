import { NotConnected } from '../connections/NotConnected';
import { ScreenHeader } from '../../ui/ScreenHeader';
import { useConnections } from '../connections/store';
import { SendForm } from './SendForm';
import { Subscriptions } from './Subscriptions';
import '../messages/messages.css';
import './corenats.css';

/** Core NATS: publish with headers, request/reply, and live wildcard subscriptions. */
export function CoreNatsScreen() {
  const connected = useConnections((s) => s.status.state === 'connected');
  if (!connected) {
    return (
      <section className="screen" data-testid="corenats-screen">
        <ScreenHeader title="Core NATS" />
        <NotConnected testId="corenats-disconnected">Connect to publish, request and subscribe.</NotConnected>
      </section>
    );
  }
  return (
    <section className="screen wide-screen corenats-screen" data-testid="corenats-screen">
      <ScreenHeader
        title="Core NATS"
        subtitle="Publish, request and subscribe on any subject: plain NATS, nothing is stored"
      />
      <div className="cn-panes">
        <SendForm />
        <Subscriptions />
      </div>
    </section>
  );
}
