import type { LaneStatus } from '../../../api/features/tasks';
import { api } from '../../api';
import { TimeChart } from '../../ui/TimeChart';
import { usePolling } from '../../ui/usePolling';
import { toEnvelope } from '../toasts/store';
import { formatSeconds, formatTime } from './format';
import { useTasks } from './store';
import { Figure } from '../../ui/Figure';

const POLL_MS = 2000;

function laneLabel(l: LaneStatus): string {
  if (l.consumer === 'task-workers') return 'normal';
  if (l.consumer === 'task-workers-high') return 'high';
  return l.consumer.replace(/^task-workers-typed-/, 'typed: ');
}

export function QueueStatusPanel({ connected }: { connected: boolean }) {
  // Every 2 s while the page is visible; the points feed the backlog chart.
  const { error } = usePolling(
    async () => {
      const q = await api.call('tasks.queueStatus');
      useTasks.getState().pushQueue(q);
      return q;
    },
    POLL_MS,
    connected,
  );
  const queue = useTasks((s) => s.queue);
  const points = useTasks((s) => s.backlog);
  return (
    <div className="card queue-panel" data-testid="queue-status">
      <div className="card-head">
        <h2>Queue</h2>
        {queue && <span className="muted small">updated {formatTime(queue.at)}</span>}
      </div>
      {error !== undefined && (
        <p className="small error-text">Queue status failed: {toEnvelope(error).message}</p>
      )}
      {!queue ? (
        <p className="muted small">{connected ? 'Reading consumer state…' : 'Not connected.'}</p>
      ) : (
        <>
          <div className="queue-figures">
            <Figure label="Backlog" value={queue.backlog.toLocaleString('en-US')} testId="queue-backlog" />
            <Figure
              label="Completing"
              value={`${queue.completionRatePerSec.toLocaleString('en-US')} /s`}
              testId="queue-rate"
            />
            <Figure
              label="Drains in"
              value={queue.unserved?.length ? 'no worker' : formatSeconds(queue.timeToDrainSec)}
              title={
                queue.drainNote ??
                (queue.timeToDrainSec === null ? 'Nothing completed in the last minute' : undefined)
              }
              testId="queue-drain"
            />
          </div>
          <TimeChart
            x={points.map((p) => p.at)}
            series={[{ label: 'backlog', values: points.map((p) => p.backlog), color: '--accent' }]}
            height={110}
            testId="backlog-chart"
          />
          <table className="lanes" data-testid="queue-lanes">
            <thead>
              <tr>
                <th>Lane</th>
                <th className="num" title="Not yet delivered">
                  Pending
                </th>
                <th className="num" title="Delivered, not yet acked">
                  Ack pending
                </th>
                <th className="num">Redeliv.</th>
                <th className="num" title="Pull requests waiting">
                  Waiting
                </th>
                <th className="num" title="Last delivered / acked (ack floor) stream sequence">
                  Last deliv. / acked
                </th>
              </tr>
            </thead>
            <tbody>
              {queue.lanes.map((l) => (
                <tr
                  key={l.consumer}
                  data-testid="queue-lane"
                  data-consumer={l.consumer}
                  title={l.error ?? l.filter}
                >
                  <td>
                    {laneLabel(l)}
                    {!l.exists && <span className="muted small"> (not created)</span>}
                    {l.servedBy === 0 && l.num_pending + l.num_ack_pending > 0 && (
                      <span
                        className="badge warn"
                        data-testid="lane-no-worker"
                        title="No answering worker consumes this lane"
                      >
                        no worker
                      </span>
                    )}
                  </td>
                  <td className="num" data-testid="lane-pending">
                    {l.num_pending.toLocaleString('en-US')}
                  </td>
                  <td className="num" data-testid="lane-ack-pending">
                    {l.num_ack_pending.toLocaleString('en-US')}
                  </td>
                  <td className="num">{l.num_redelivered.toLocaleString('en-US')}</td>
                  <td className="num">{l.num_waiting}</td>
                  <td className="num">
                    {l.delivered_seq} / {l.ack_floor_seq}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {queue.stream && (
            <p className="small muted">
              Stream TASKS: {queue.stream.messages.toLocaleString('en-US')} messages, seq{' '}
              {queue.stream.first_seq}–{queue.stream.last_seq}, {queue.stream.consumers} consumers. Workers
              started with <code>jetdeck worker</code> elsewhere show up here as falling backlog.
            </p>
          )}
        </>
      )}
    </div>
  );
}
