import type { tasksMethods } from '../../api/features/tasks';
import type { Core } from '../core';
import type { HandlersFor } from '../router';
import { TaskService, type TaskServiceDeps } from './service';
import { deadLetterHandlers } from './dead-letters/actions';

/** Registers the tasks feature's handlers and hooks. */
export function registerTasks(core: Core, deps: TaskServiceDeps): TaskService {
  const svc = new TaskService(core, deps);
  core.router.register(deadLetterHandlers(svc));
  const handlers: HandlersFor<typeof tasksMethods> = {
    'tasks.topology': () => svc.topology(),
    'tasks.applyTopology': (i) => svc.applyTopology(i.replicas, i.placementTags),
    'tasks.publish': (i) => svc.publish(i),
    'tasks.publishBulk': async (i) => {
      const { jobId, done } = await svc.publishBulk(i);
      // Progress (and the final state) arrive as 'tasks.bulkProgress' events.
      done.catch((err: unknown) => console.error(`[jetdeck] bulk publish ${jobId} failed:`, err));
      return { jobId };
    },
    'tasks.cancelBulk': (i) => svc.cancelBulk(i.jobId),
    'tasks.list': (i) => svc.list(i),
    'tasks.get': (i) => svc.get(i.id),
    'tasks.cancel': (i) => svc.cancel(i.id),
    'tasks.retry': (i) => svc.retry(i.id),
    'tasks.setStatus': (i) => svc.setStatus(i.id, i.status),
    'tasks.deadLetters.list': async (i) => ({ deadLetters: await svc.deadLetters(i ?? {}) }),
    'tasks.deadLetters.retry': (i) => svc.retryDeadLetter(i.id),
    'tasks.deadLetters.retryAll': (i) => svc.retryAllDeadLetters(i ?? {}),
    'tasks.deadLetters.discard': (i) => svc.discardDeadLetter(i.id),
    'tasks.queueStatus': () => svc.queueStatus(),
    'tasks.types': () => ({ types: svc.types() }),
  };
  core.router.register(handlers);
  return svc;
}
