/**
 * nats-server before 2.9.15 keeps a filtered consumer's pending count by rescanning: a consumer
 * info (or list) can leave that count unset while the consumer's backlog sits inside one message
 * block, and from then on every delivery rescans up to half that block (tens of thousands of
 * messages) until the consumer passes its middle. At the end of a task flow that is seconds of
 * server CPU and a pool crawling at a tenth of its rate; 2.9.15 counts instead. JetDeck reads
 * consumer info on such servers no more often than this.
 */
export const OLD_SERVER_CONSUMER_INFO_MS = 10_000;

/** Whether `version` (the server's INFO) rescans a filtered consumer's backlog on delivery. */
export function rescansPendingOnDelivery(version: string | undefined): boolean {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version ?? '');
  if (!m) return false;
  const [major, minor, patch] = m.slice(1).map(Number);
  return major < 2 || (major === 2 && (minor < 9 || (minor === 9 && patch < 15)));
}

/** How long consumer info read from a server of `version` is reused (0: read it every time). */
export function consumerInfoReuseMs(version: string | undefined): number {
  return rescansPendingOnDelivery(version) ? OLD_SERVER_CONSUMER_INFO_MS : 0;
}
