import { connect } from 'node:net';

export interface RawReply {
  status: number;
  head: string;
  body: string;
}

/**
 * One HTTP/1.1 request written byte for byte (Node's client refuses NUL in headers and odd
 * upgrade requests); resolves with the status line's code, the head and the body.
 */
export function rawRequest(base: string, text: string): Promise<RawReply> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(u.port), u.hostname);
    let data = '';
    const done = () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      const split = data.indexOf('\r\n\r\n');
      resolve({
        status: m ? Number(m[1]) : 0,
        head: split < 0 ? data : data.slice(0, split),
        body: split < 0 ? '' : data.slice(split + 4),
      });
      sock.destroy();
    };
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      data += d;
      // A 101 keeps the socket open: the status line is all we need.
      if (/^HTTP\/1\.1 101/.test(data) && data.includes('\r\n\r\n')) done();
    });
    sock.on('end', done);
    sock.on('error', reject);
    sock.write(text);
  });
}
