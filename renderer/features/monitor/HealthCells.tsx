import { HealthBadge } from '../../ui/HealthBadge';
import { useHealthFor } from './health-store';

/** Drop-in badge for a stream row (a component, so it can sit inside a `.map`). */
export function StreamHealthBadge({ stream }: { stream: string }) {
  return <HealthBadge entry={useHealthFor('stream', stream)} testId="stream-health" />;
}

/** Drop-in badge for a consumer row. */
export function ConsumerHealthBadge({ stream, consumer }: { stream: string; consumer: string }) {
  return <HealthBadge entry={useHealthFor('consumer', `${stream}/${consumer}`)} testId="consumer-health" />;
}
