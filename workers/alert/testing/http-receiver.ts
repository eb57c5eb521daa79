import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A loopback HTTP receiver standing where Slack or a webhook consumer would be: it records every request and
 * answers with the statuses it is told to (then 200), so tests check payloads, signatures and retries. `host` is
 * 127.0.0.1 unless a test needs pods to reach it (the test cluster's node address, e2e/testing/cluster-alerts.ts).
 */
export async function startHttpReceiver(statuses: number[] = [], host = '127.0.0.1') {
  const received: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.statusCode = statuses.shift() ?? 200;
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, host, () => r()));
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    /** Makes the next requests answer with these statuses. */
    respondWith(...next: number[]) {
      statuses.push(...next);
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
