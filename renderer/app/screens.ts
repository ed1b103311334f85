import type { ComponentType } from 'react';
import { ConnectionsScreen } from '../features/connections/Screen';
import { ConsumersScreen } from '../features/consumers/Screen';
import { MessagesScreen } from '../features/messages/Screen';
import { MonitorScreen } from '../features/monitor/Screen';
import { OverviewScreen } from '../features/overview/Screen';
import { StreamsScreen } from '../features/streams/Screen';
import { TasksScreen } from '../features/tasks/Screen';
import { WorkersScreen } from '../features/workers/Screen';
import type { IconName } from '../ui/Icon';

export interface ScreenDef {
  /** Used in the URL hash (#/<id>) and in data-testid="nav-<id>". */
  id: string;
  label: string;
  icon: IconName;
  component: ComponentType;
}

/** Sidebar order; Ctrl/Cmd+1..8 follow it. Adding a screen is one line here. */
export const SCREENS: ScreenDef[] = [
  { id: 'overview', label: 'Overview', icon: 'overview', component: OverviewScreen },
  { id: 'tasks', label: 'Tasks', icon: 'tasks', component: TasksScreen },
  { id: 'workers', label: 'Workers', icon: 'workers', component: WorkersScreen },
  { id: 'streams', label: 'Streams', icon: 'streams', component: StreamsScreen },
  { id: 'messages', label: 'Messages', icon: 'messages', component: MessagesScreen },
  { id: 'consumers', label: 'Consumers', icon: 'consumers', component: ConsumersScreen },
  { id: 'monitor', label: 'Monitor', icon: 'monitor', component: MonitorScreen },
  { id: 'connections', label: 'Connections', icon: 'connections', component: ConnectionsScreen },
];

export const DEFAULT_SCREEN = 'overview';

export function findScreen(id: string): ScreenDef | undefined {
  return SCREENS.find((s) => s.id === id);
}
