import { Agent, request } from 'node:http';

export interface RawResponse {
  status: number;
  body: string;
}

/**
 * POSTs exact bytes with exact header lines (repeated names stay repeated, nothing is added but
 * Host and Content-Length), over a kept-alive loopback connection.
 */
export function rawPost(
  url: string,
  body: Buffer,
  headers: ReadonlyArray<readonly [string, string]>,
  agent: Agent,
): Promise<RawResponse> {
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
