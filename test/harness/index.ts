/**
 * The test harness's public face, for bench/ and e2e/ (and any test): real nats-servers and
 * clusters, a core on a temp data dir, event recording, auth configs, and the polling helper.
 */
export {
  NATS_SERVER_BIN,
  TestServer,
  freePort,
  startCluster,
  startServer,
  stopAll,
  type ServerOptions,
  type TestCluster,
} from './nats-server';
export { makeTestCore, type TestCore } from './core';
export { recordEvents } from './events';
export { pollUntil, type PollOptions } from './poll';
export { seedCompleted, taskId } from './seed-tasks';
