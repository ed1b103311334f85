import { useEffect, useState } from 'react';
import { api } from '../../api';
import { ScreenHeader } from '../../ui/ScreenHeader';
import { useConnections } from '../connections/store';
import { InterruptedJobs } from '../jobs/InterruptedJobs';
import { DeadLetters } from './DeadLetters';
import { PublishForm } from './PublishForm';
import { QueueStatusPanel } from './QueueStatusPanel';
import { Scheduled } from './Scheduled';
import { useTasks } from './store';
import { TaskDetailPanel } from './TaskDetail';
import { TaskTable } from './TaskTable';
import { StreamPlacement } from './StreamPlacement';
import { TopologyBanner } from './TopologyBanner';
import './tasks.css';

/** Task types seen in the stream, refreshed (debounced) as tasks change. */
function useTaskTypes(connected: boolean): string[] {
  const version = useTasks((s) => s.version);
  const [types, setTypes] = useState<string[]>([]);
  useEffect(() => {
    if (!connected) return;
    let stale = false;
    const t = setTimeout(
      () =>
        api.call('tasks.types').then(
          (r) => !stale && setTypes(r.types),
          () => {},
        ),
      version === 0 ? 0 : 1000,
    );
    return () => {
      stale = true;
      clearTimeout(t);
    };
  }, [version, connected]);
  return types;
}

export function TasksScreen() {
  const connected = useConnections((s) => s.status.state === 'connected');
  const tab = useTasks((s) => s.tab);
  const topology = useTasks((s) => s.topology);
  const selectedId = useTasks((s) => s.selectedId);
  const set = useTasks((s) => s.set);
  const types = useTaskTypes(connected);

  useEffect(() => {
    if (!connected) return;
    api.call('tasks.topology').then(
      (topology) => useTasks.getState().set({ topology }),
      () => {},
    );
  }, [connected]);

  return (
    <section className="screen tasks-screen" data-testid="tasks-screen">
      <ScreenHeader
        title="Tasks"
        subtitle="Publish tasks to the TASKS stream, follow them through the workers, retry or cancel them."
        actions={
          <div className="segmented tabs" role="tablist" aria-label="Tasks view">
            <button
              role="tab"
              aria-selected={tab === 'tasks'}
              className={tab === 'tasks' ? 'on' : ''}
              onClick={() => set({ tab: 'tasks' })}
              data-testid="tab-tasks"
            >
              Tasks
            </button>
            <button
              role="tab"
              aria-selected={tab === 'dead'}
              className={tab === 'dead' ? 'on' : ''}
              onClick={() => set({ tab: 'dead' })}
              data-testid="tab-dead"
            >
              Dead letters
            </button>
            <button
              role="tab"
              aria-selected={tab === 'scheduled'}
              className={tab === 'scheduled' ? 'on' : ''}
              onClick={() => set({ tab: 'scheduled' })}
              data-testid="tab-scheduled"
            >
              Scheduled
            </button>
          </div>
        }
      />
      {connected && topology && <TopologyBanner report={topology} />}
      {connected && topology && topology.state !== 'error' && <StreamPlacement report={topology} />}
      <InterruptedJobs kinds={['bulk']} connected={connected} />
      <div className="tasks-top">
        <PublishForm types={types} onOpenTask={(id) => set({ selectedId: id })} />
        <QueueStatusPanel connected={connected} />
      </div>
      {tab === 'tasks' && <TaskTable types={types} connected={connected} />}
      {tab === 'dead' && <DeadLetters types={types} connected={connected} />}
      {tab === 'scheduled' && <Scheduled connected={connected} />}
      {selectedId && <TaskDetailPanel key={selectedId} id={selectedId} />}
    </section>
  );
}
