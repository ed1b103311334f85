import type { ComponentType } from 'react';
import { ConnectionsScreen } from '../features/connections/Screen';
import { ConsumersScreen } from '../features/consumers/Screen';
import { KvScreen } from '../features/kv/Screen';
import { CoreNatsScreen } from '../features/corenats/Screen';
import { MessagesScreen } from '../features/messages/Screen';
import { MonitorScreen } from '../features/monitor/Screen';
import { OverviewScreen } from '../features/overview/Screen';
import { StreamsScreen } from '../features/streams/Screen';
import { TasksScreen } from '../features/tasks/Screen';
import { WorkersScreen } from '../features/workers/Screen';
import type { IconName } from '../ui/Icon';
import { SCREEN_IDS, type ScreenId } from '../navigation';

export interface ScreenDef {
  /** Used in the URL hash (#/<id>) and in data-testid="nav-<id>". */
  id: ScreenId;
  label: string;
  icon: IconName;
  component: ComponentType;
}

/** The component, label and icon of every screen id (navigation.ts owns ids and their order). */
const TABLE: Record<ScreenId, Omit<ScreenDef, 'id'>> = {
  overview: { label: 'Overview', icon: 'overview', component: OverviewScreen },
  tasks: { label: 'Tasks', icon: 'tasks', component: TasksScreen },
  workers: { label: 'Workers', icon: 'workers', component: WorkersScreen },
  streams: { label: 'Streams', icon: 'streams', component: StreamsScreen },
  messages: { label: 'Messages', icon: 'messages', component: MessagesScreen },
  corenats: { label: 'Core NATS', icon: 'corenats', component: CoreNatsScreen },
  consumers: { label: 'Consumers', icon: 'consumers', component: ConsumersScreen },
  kv: { label: 'KV', icon: 'kv', component: KvScreen },
  monitor: { label: 'Monitor', icon: 'monitor', component: MonitorScreen },
  connections: { label: 'Connections', icon: 'connections', component: ConnectionsScreen },
};

/** Sidebar order; adding a screen is its id in navigation.ts plus one line here. */
export const SCREENS: ScreenDef[] = SCREEN_IDS.map((id) => ({ id, ...TABLE[id] }));

export function screenOf(id: ScreenId): ScreenDef {
  return { id, ...TABLE[id] };
}
