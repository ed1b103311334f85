import type { QueueStatus, StatusCounts } from '../../../api/features/tasks';
import type { PoolStatus } from '../../../api/features/workers';
import { api } from '../../api';
import { navigate, type ScreenId } from '../../navigation';
import { formatCount } from '../../ui/format';
import { usePolling } from '../../ui/usePolling';
import { useTasks } from '../tasks/store';
import '../workers/workers.css';
import { Figure } from '../../ui/Figure';

const POLL_MS = 2500;

interface QueueSnapshot {
  queue?: QueueStatus;
  counts?: StatusCounts;
  pool?: PoolStatus;
}

/** Reads what each part can give; one missing part (no TASKS yet) does not hide the others. */
async function fetchSnapshot(): Promise<QueueSnapshot> {
  const [queue, list, pool] = await Promise.allSettled([
    api.call('tasks.queueStatus'),
    api.call('tasks.list', { limit: 1 }),
    api.call('workers.status'),
  ]);
  return {
    queue: queue.status === 'fulfilled' ? queue.value : undefined,
    counts: list.status === 'fulfilled' ? list.value.counts : undefined,
    pool: pool.status === 'fulfilled' ? pool.value : undefined,
  };
}

/** The next thing a user should do, from the queue's state. */
function nextStep(s: QueueSnapshot): {
  text: string;
  action: string;
  screen: ScreenId;
  tab?: 'dead';
  testId: string;
} {
  const workers = s.pool && s.pool.state !== 'stopped' ? s.pool.workers.length : 0;
  const backlog = s.queue?.backlog ?? 0;
  const failed = s.counts?.failed ?? 0;
  if ((s.counts?.total ?? 0) === 0 && backlog === 0)
    return {
      text: 'No tasks yet. Publish one from the Tasks screen, the REST API or any NATS client to tasks.new.',
      action: 'Publish a task',
      screen: 'tasks',
      testId: 'overview-next-publish',
    };
  if (backlog > 0 && workers === 0 && (s.queue?.completionRatePerSec ?? 0) === 0)
    return {
      text: `${formatCount(backlog)} task(s) wait and nothing is working on them. Start a worker pool here, or run jetdeck worker elsewhere.`,
      action: 'Start workers',
      screen: 'workers',
      testId: 'overview-next-workers',
    };
  if (failed > 0)
    return {
      text: `${formatCount(failed)} task(s) failed for good. See why, then retry or discard them.`,
      action: 'Open dead letters',
      screen: 'tasks',
      tab: 'dead' as const,
      testId: 'overview-next-dead',
    };
  return {
    text: 'The queue is healthy. Follow tasks as they run, or watch throughput on Monitor.',
    action: 'Open Tasks',
    screen: 'tasks',
    testId: 'overview-next-tasks',
  };
}

/** The task queue at a glance: backlog, rate, workers and failures, and what to do next. */
export function QueueCard() {
  const snap = usePolling(fetchSnapshot, POLL_MS, true);
  const s = snap.data;
  if (!s) return null;
  const next = nextStep(s);
  const workers = s.pool && s.pool.state !== 'stopped' ? s.pool.workers.length : 0;
  const rate = s.queue?.completionRatePerSec ?? 0;
  return (
    <section className="card span2" data-testid="overview-queue">
      <h2>Task queue</h2>
      <div className="pool-totals">
        <Figure label="Backlog" value={s.queue ? formatCount(s.queue.backlog) : '—'} testId="ov-backlog" />
        <Figure
          label="Completing"
          value={`${rate.toLocaleString('en-US', { maximumFractionDigits: 1 })} /s`}
          testId="ov-rate"
        />
        <Figure label="Workers here" value={String(workers)} testId="ov-workers" />
        <Figure
          label="Failed"
          value={s.counts ? formatCount(s.counts.failed) : '—'}
          testId="ov-failed"
          tone={s.counts?.failed ? 'bad' : undefined}
        />
        <Figure label="Tasks seen" value={s.counts ? formatCount(s.counts.total) : '—'} testId="ov-total" />
      </div>
      <div className="next-step" data-testid="overview-next">
        <p>{next.text}</p>
        <button
          className="btn primary"
          onClick={() => {
            useTasks.getState().set({ tab: next.tab ?? 'tasks' });
            navigate(next.screen);
          }}
          data-testid={next.testId}
        >
          {next.action}
        </button>
      </div>
    </section>
  );
}
