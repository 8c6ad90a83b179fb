import { Agent, request } from 'node:http';
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  body: string;
}

/**
 * POSTs exact bytes with exact header lines (repeated names stay repeated, nothing is added but
 * Host and Content-Length), over a kept-alive loopback connection.
 */
export function rawPost(url: string, body: Buffer, headers: ReadonlyArray<readonly [string, string]>, agent: Agent): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const raw: string[] = ['host', target.host, 'content-length', String(body.length)];
    for (const [name, value] of headers) raw.push(name, value);
    const req = request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: raw, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Sends `head` (request line and headers, without the blank line) and `body` byte for byte over a
 * fresh loopback socket, with `Connection: close`, and returns the status and body of the answer.
 * For requests Node's client would not send as written: no Content-Length, a chunked body.
 */
export function rawExchange(url: string, head: readonly string[], body: Buffer | string = ''): Promise<RawResponse> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(target.port), target.hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      const separator = text.indexOf('\r\n\r\n');
      const headers = text.slice(0, separator).toLowerCase();
      let rest = text.slice(separator + 4);
      if (headers.includes('transfer-encoding: chunked')) rest = dechunk(rest);
      resolve({ status, body: rest });
    });
    socket.write([...head, `Host: ${target.host}`, 'Connection: close', '', ''].join('\r\n'));
    socket.write(body);
  });
}

function dechunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, lineEnd), 16);
    if (!size) return out;
    out += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
}
