import net from 'node:net';

/**
 * The server's own ceiling for a workload: a client that does nothing but write ready-made
 * HPUB frames to a plain socket and count the PubAcks (no parsing, no objects per message).
 * No real client can beat it, so it tells how much of a gap is the client's and how much the
 * server's (and the machine's) on this run.
 */
export async function rawSocketPublish(
  url: string,
  count: number,
  frame: (i: number, reply: string) => string,
  window = 4096,
): Promise<number> {
  const { hostname, port } = new URL(url.replace(/^nats:/, 'http:'));
  const sock = net.connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject));
  sock.write(
    'CONNECT {"verbose":false,"pedantic":false,"headers":true,"protocol":1}\r\nSUB _RAW.acks.* 1\r\n',
  );
  let sent = 0;
  let acked = 0;
  let tail = '';
  const t0 = performance.now();
  const pump = (): void => {
    let out = '';
    while (sent < count && sent - acked < window) out += frame(sent, `_RAW.acks.${sent++}`);
    if (out) sock.write(out);
  };
  await new Promise<void>((resolve, reject) => {
    sock.on('error', reject);
    sock.on('data', (b: Buffer) => {
      // Count "MSG " at the start of protocol lines (a PubAck never contains one).
      const s = tail + b.toString('latin1');
      for (let i = s.indexOf('MSG '); i !== -1; i = s.indexOf('MSG ', i + 4)) acked++;
      tail = s.slice(-3);
      if (s.includes('-ERR')) reject(new Error(`server error: ${s.slice(s.indexOf('-ERR'), 200)}`));
      if (acked >= count) resolve();
      else pump();
    });
    pump();
  });
  const rate = (count * 1000) / (performance.now() - t0);
  sock.destroy();
  return rate;
}
