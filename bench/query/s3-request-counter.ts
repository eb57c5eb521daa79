/**
 * A loopback HTTP proxy in front of MinIO that counts the S3 requests passing through it, by operation and by
 * what they touch (a metrics table's files, the file metastore, anything else). Trino is pointed at the proxy
 * instead of MinIO, so a dashboard call's S3 traffic can be read beside Trino's own timings (trino-breakdown.ts).
 * Requests are forwarded byte for byte with their Host header, so SigV4 signatures stay valid.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface S3RequestCounter {
  endpoint: string;
  /** Counts since the last reset, e.g. { "LIST metrics/service_metrics_hour": 168 }. */
  counts(): Record<string, number>;
  reset(): void;
  stop(): Promise<void>;
}

/** "GET metrics/request_metrics_day", "LIST trino-metastore", "HEAD metrics/request_metrics_hour"... */
export function classifyS3Request(method: string, url: string): string {
  const parsed = new URL(url, 'http://proxy');
  // Path style: /bucket/key...; a listing names its prefix in the query string instead.
  const [, , ...keyParts] = parsed.pathname.split('/');
  const key = parsed.searchParams.get('prefix') ?? decodeURIComponent(keyParts.join('/'));
  const isList = method === 'GET' && parsed.searchParams.has('list-type');
  const [top, table] = key.split('/');
  const what = top === 'metrics' && table ? `metrics/${table}` : (top ?? '');
  return `${isList ? 'LIST' : method} ${what}`;
}

export async function startS3RequestCounter(target: string): Promise<S3RequestCounter> {
  const upstream = new URL(target);
  let counts: Record<string, number> = {};
  const forward = (req: IncomingMessage, res: import('node:http').ServerResponse) => {
    const kind = classifyS3Request(req.method ?? 'GET', req.url ?? '/');
    counts[kind] = (counts[kind] ?? 0) + 1;
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  };
  const server: Server = createServer(forward);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts: () => ({ ...counts }),
    reset: () => {
      counts = {};
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
