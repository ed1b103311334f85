import type { z } from 'zod';
import type { EventSpec, MethodSpec } from './define';
import { deadLetterMethods } from './features/dead-letters';
import { typeStatsMethods } from './features/type-stats';
import { connectionsEvents, connectionsMethods } from './features/connections';
import { coreNatsEvents, coreNatsMethods } from './features/corenats';
import { fleetEvents, fleetMethods } from './features/fleet';
import { jobsEvents, jobsMethods } from './features/jobs';
import { kvEvents, kvMethods } from './features/kv';
import { viewsEvents, viewsMethods } from './features/views';
import { filesMethods } from './features/files';
import { messagesEvents, messagesMethods } from './features/messages';
import { monitorEvents, monitorMethods } from './features/monitor';
import { searchEvents, searchMethods } from './features/search';
import { streamsEvents, streamsMethods } from './features/streams';
import { tasksEvents, tasksMethods } from './features/tasks';
import { workersEvents, workersMethods } from './features/workers';

/** The one API contract: every method and event of JetDeck, for IPC and WebSocket alike. */
export const methods = {
  ...connectionsMethods,
  ...tasksMethods,
  ...deadLetterMethods,
  ...workersMethods,
  ...typeStatsMethods,
  ...fleetMethods,
  ...streamsMethods,
  ...messagesMethods,
  ...searchMethods,
  ...monitorMethods,
  ...jobsMethods,
  ...filesMethods,
  ...kvMethods,
  ...coreNatsMethods,
  ...viewsMethods,
};
export const events = {
  ...connectionsEvents,
  ...tasksEvents,
  ...workersEvents,
  ...fleetEvents,
  ...streamsEvents,
  ...messagesEvents,
  ...searchEvents,
  ...monitorEvents,
  ...jobsEvents,
  ...kvEvents,
  ...coreNatsEvents,
  ...viewsEvents,
};

export type Methods = typeof methods;
export type Events = typeof events;
export type MethodName = keyof Methods;
export type EventName = keyof Events;

/** What callers pass (defaults optional). */
export type MethodInput<N extends MethodName> = z.input<Methods[N]['input']>;
/** What handlers receive after validation (defaults applied). */
export type MethodParsedInput<N extends MethodName> = z.output<Methods[N]['input']>;
export type MethodOutput<N extends MethodName> =
  Methods[N] extends MethodSpec<z.ZodType, infer O> ? O : never;
export type EventPayload<E extends EventName> = Events[E] extends EventSpec<infer P> ? P : never;

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(methods, name);
}
export function isEventName(name: string): name is EventName {
  return Object.prototype.hasOwnProperty.call(events, name);
}
