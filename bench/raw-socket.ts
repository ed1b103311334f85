import net from 'node:net';
import type { MsgHdrs } from '@nats-io/transport-node';

/** A plain socket to the server, CONNECT sent (no auth: the bench's own server). */
async function openSocket(url: string): Promise<net.Socket> {
  const { hostname, port } = new URL(url.replace(/^nats:/, 'http:'));
  const sock = net.connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject));
  sock.write('CONNECT {"verbose":false,"pedantic":false,"headers":true,"protocol":1}\r\n');
  return sock;
}

/** `h` as the header block nats.js writes (for frames built by hand). */
export function headerText(h: MsgHdrs | undefined): string {
  if (!h) return '';
  let s = 'NATS/1.0\r\n';
  for (const [k, vs] of h) for (const v of vs) s += `${k}: ${v}\r\n`;
  return `${s}\r\n`;
}

/** One HPUB frame as text (ASCII subjects and header block; `body` as latin1 bytes). */
export function hpubFrame(subject: string, reply: string, header: string, body: string): string {
  return `HPUB ${subject} ${reply} ${header.length} ${header.length + body.length}\r\n${header}${body}\r\n`;
}

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
  inbox = '_RAW.acks',
): Promise<number> {
  const sock = await openSocket(url);
  sock.write(`SUB ${inbox}.* 1\r\n`);
  let sent = 0;
  let acked = 0;
  let tail = '';
  const t0 = performance.now();
  const pump = (): void => {
    let out = '';
    while (sent < count && sent - acked < window) out += frame(sent, `${inbox}.${sent++}`);
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

/**
 * The server's ceiling for a replay: a bare socket client pulls every message of an ack-none
 * consumer in one request and writes each back as an HPUB (mapped subject, one header) as soon
 * as it arrives, counting PubAcks. No message objects, no parsing beyond the protocol lines.
 * Frames are written as latin1: `frame` must build them from ASCII text and `payload`'s bytes.
 */
export async function rawSocketReplay(
  url: string,
  stream: string,
  consumer: string,
  count: number,
  frame: (subject: string, payload: Buffer, n: number, reply: string) => string,
): Promise<number> {
  const sock = await openSocket(url);
  const pull = JSON.stringify({ batch: count, no_wait: true });
  sock.write(
    'SUB _RAW.msgs 1\r\nSUB _RAW.acks.* 2\r\n' +
      `PUB $JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer} _RAW.msgs ${pull.length}\r\n${pull}\r\n`,
  );
  let received = 0;
  let acked = 0;
  let buf: Buffer = Buffer.alloc(0);
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    sock.on('error', reject);
    sock.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      let out = '';
      let at = 0;
      for (;;) {
        const eol = buf.indexOf('\r\n', at);
        if (eol < 0) break;
        const line = buf.toString('latin1', at, eol);
        if (line.startsWith('MSG ') || line.startsWith('HMSG ')) {
          // MSG <subject> <sid> [reply] <size> | HMSG <subject> <sid> [reply] <hlen> <size>
          const f = line.split(' ');
          const size = Number(f[f.length - 1]);
          if (buf.length < eol + 2 + size + 2) break; // the payload is not all here yet
          const body = buf.subarray(eol + 2, eol + 2 + size);
          if (f[2] === '1' && f.length === 5 && f[3].startsWith('$JS.ACK.')) {
            out += frame(f[1], body, received, `_RAW.acks.${received}`);
            received++;
          } else if (f[2] === '2') acked++;
          at = eol + 2 + size + 2;
        } else {
          if (line === 'PING') out += 'PONG\r\n';
          if (line.startsWith('-ERR')) reject(new Error(`server error: ${line}`));
          at = eol + 2;
        }
      }
      buf = buf.subarray(at);
      if (out) sock.write(out, 'latin1');
      if (acked >= count) resolve();
    });
  });
  const rate = (count * 1000) / (performance.now() - t0);
  sock.destroy();
  return rate;
}
