import { startCluster, startServer, type TestCluster, type TestServer } from './nats-server';

/** Credentials of the accounts in `AUTH_ACCOUNTS_CONFIG`. */
export const SYS_USER = { user: 'sys', password: 'sys-secret' } as const;
export const APP_USER = { user: 'app', password: 'app-secret' } as const;

/**
 * A system account (SYS) and a JetStream-enabled application account (APP), so tests can
 * exercise what system credentials add over an ordinary user's view.
 */
export const AUTH_ACCOUNTS_CONFIG = `
accounts {
  SYS { users [ { user: "${SYS_USER.user}", password: "${SYS_USER.password}" } ] }
  APP { jetstream: enabled, users [ { user: "${APP_USER.user}", password: "${APP_USER.password}" } ] }
}
system_account: SYS
`;

/** A 3-node (by default) JetStream cluster on loopback with SYS and APP accounts. */
export function startAuthCluster(size = 3): Promise<TestCluster> {
  return startCluster(size, AUTH_ACCOUNTS_CONFIG);
}

/** One server with SYS and APP accounts. */
export function startAuthServer(): Promise<TestServer> {
  return startServer({ extraConfig: AUTH_ACCOUNTS_CONFIG });
}
