import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { securityHeaders } from '../../../workers/shared/http/security-headers.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import type { EventsResponse } from '../../../workers/query/api-types.js';
import { MINUTE } from './fixture-dataset.js';
import { FixtureQueries } from './fixture-queries.js';

/**
 * API STAND-IN FOR UI TESTS ONLY: serves the built dashboard plus /api/v1 with real-shaped responses
 * (workers/query/api-types.ts) computed from the seeded fixture dataset, including 401s and error bodies.
 * The real query server is tested end to end elsewhere.
 */
export type FixtureMode = 'data' | 'empty' | 'stale' | 'down' | 'error500';

export interface FixtureApiOptions {
  assetsDir: string;
  token?: string;
}

export interface RecordedRequest {
  resource: string;
  query: Record<string, string>;
}

export class ValidationError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** The parameters each route takes, as the real query server's routeParams (workers/query/http/query-app.ts). */
const ROUTE_PARAMS: Record<string, readonly string[]> = {
  services: ['from', 'to', 'limit', 'latency'],
  timeseries: ['service', 'method', 'path', 'from', 'to', 'step', 'compare', 'worst'],
  endpoints: ['service', 'from', 'to', 'sort', 'limit', 'offset', 'min_requests'],
  'service-events': ['service', 'from', 'to'],
  freshness: [],
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

export class FixtureApi {
  readonly token: string;
  /** Every page's requests together; a test asks the harness for one page's (DashboardHarness.lastRequest). */
  readonly requests: RecordedRequest[] = [];
  mode: FixtureMode = 'data';
  private server: Server | null = null;
  private readonly startedAt = Date.now();

  constructor(private readonly options: FixtureApiOptions) {
    this.token = options.token ?? 'fixture-token';
  }

  /** The queries for the current mode, for tests to compute the numbers the page must show. */
  queries(): FixtureQueries {
    const nowMinute = Math.floor(this.startedAt / MINUTE);
    const lag = this.mode === 'stale' ? 15 : 1;
    const deploys: EventsResponse['events'] = [
      {
        t: (nowMinute - 40) * MINUTE,
        type: 'deploy',
        service: 'checkout',
        version: 'v1.42.0',
        description: null,
      },
      {
        t: (nowMinute - 27) * MINUTE,
        type: 'deploy',
        service: 'payments',
        version: 'v3.1.0',
        description: 'new PSP',
      },
      {
        t: (nowMinute - 24) * MINUTE,
        type: 'incident',
        service: 'payments',
        version: null,
        description: null,
      },
    ];
    return new FixtureQueries({
      lastMetricMinute: this.mode === 'empty' ? null : (nowMinute - lag) * MINUTE,
      incident: [nowMinute - 25, nowMinute - 10],
      deploys: this.mode === 'empty' ? [] : deploys,
    });
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    // The real query server's security headers (CSP included), so the Chromium tests run under the same policy.
    this.server = createServer((req, res) => {
      for (const [name, value] of Object.entries(securityHeaders)) res.setHeader(name, value);
      void this.handle(req, res);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fixture');
    if (!url.pathname.startsWith('/api/')) return this.serveAsset(url.pathname, res);
    // "down" drops the connection like a stopped server would; the page itself is already loaded.
    if (this.mode === 'down') return void req.socket.destroy();
    const requestId = randomUUID();
    const query = Object.fromEntries(url.searchParams);
    const resource = url.pathname.replace(/^\/api\/v1\//, '');
    this.requests.push({ resource, query });
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      return sendError(res, 401, 'UNAUTHORIZED', 'Missing or invalid bearer token', requestId);
    }
    if (this.mode === 'error500')
      return sendError(res, 500, 'QUERY_FAILED', 'The query engine failed', requestId);
    try {
      const body = this.route(resource, url.searchParams);
      if (body === null) return sendError(res, 404, 'NOT_FOUND', `No route ${url.pathname}`, requestId);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      sendError(res, 400, 'INVALID_PARAMETER', error.message, requestId, error.field);
    }
  }

  private route(resource: string, q: URLSearchParams): unknown {
    const queries = this.queries();
    const service = q.get('service') || undefined;
    if (!checkParams(resource, q)) return null;
    switch (resource) {
      case 'freshness':
        return queries.freshness(Date.now());
      case 'services':
        return queries.services(...readRange(q), {
          limit: readInt(q, 'limit', 100),
          latency: readFlag(q, 'latency'),
        });
      case 'service-events': {
        const [from, to] = readRange(q);
        return queries.events({ service, from, to });
      }
      case 'endpoints':
        return queries.endpoints({
          service,
          ...rangeObject(q),
          sort: readSort(q),
          limit: readInt(q, 'limit', 20),
          offset: q.get('offset') === '0' ? 0 : readInt(q, 'offset', 0),
          minRequests: readInt(q, 'min_requests', 1),
        });
      case 'timeseries':
        return queries.timeseries({
          service,
          method: q.get('method') || undefined,
          path: q.get('path') || undefined,
          ...rangeObject(q),
          step: readInt(q, 'step', 60_000),
          compare: readCompare(q),
          worst: readFlag(q, 'worst'),
        });
      default:
        return null;
    }
  }

  private async serveAsset(pathname: string, res: ServerResponse): Promise<void> {
    const file = normalize(pathname).replace(/^(\.\.[/\\])+/, '');
    const ext = extname(file);
    // SPA fallback, as the query server will do: unknown non-asset paths get index.html.
    const target = ext && TYPES[ext] ? file : '/index.html';
    try {
      const body = await readFile(join(this.options.assetsDir, target));
      res.writeHead(200, { 'content-type': TYPES[extname(target)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  }
}

function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  requestId: string,
  field?: string,
): void {
  const error = field
    ? { code, message, field, request_id: requestId }
    : { code, message, request_id: requestId };
  res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': requestId });
  res.end(JSON.stringify({ error }));
}

function readInt(q: URLSearchParams, field: string, fallback: number): number {
  const raw = q.get(field);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) <= 0) {
    throw new ValidationError(field, `${field} must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

/**
 * As the real query server: a parameter the route does not take is a 400, so the UI cannot rely on one the real
 * server rejects. False for an unknown route.
 */
function checkParams(resource: string, q: URLSearchParams): boolean {
  const known = ROUTE_PARAMS[resource];
  if (!known) return false;
  for (const name of q.keys()) {
    if (!known.includes(name)) throw new ValidationError(name, `unknown parameter ${name}`);
  }
  return true;
}

function readFlag(q: URLSearchParams, field: string): boolean {
  const raw = q.get(field);
  if (raw === null || raw === '0') return false;
  if (raw === '1') return true;
  throw new ValidationError(field, `${field} must be 0 or 1, got ${JSON.stringify(raw)}`);
}

function readRange(q: URLSearchParams): [number, number] {
  const from = readInt(q, 'from', NaN);
  const to = readInt(q, 'to', NaN);
  if (Number.isNaN(from)) throw new ValidationError('from', 'from is required (ms since epoch)');
  if (Number.isNaN(to)) throw new ValidationError('to', 'to is required (ms since epoch)');
  if (from >= to) throw new ValidationError('from', `from (${from}) must be before to (${to})`);
  return [from, to];
}

function rangeObject(q: URLSearchParams): { from: number; to: number } {
  const [from, to] = readRange(q);
  return { from, to };
}

function readSort(q: URLSearchParams): 'errors' | 'error_rate' | 'p95' | 'requests' {
  const sort = q.get('sort') ?? 'errors';
  if (sort === 'errors' || sort === 'error_rate' || sort === 'p95' || sort === 'requests') return sort;
  throw new ValidationError('sort', `sort must be one of errors, error_rate, p95, requests; got "${sort}"`);
}

function readCompare(q: URLSearchParams): '1d' | '7d' | undefined {
  const compare = q.get('compare');
  if (compare === null) return undefined;
  if (compare === '1d' || compare === '7d') return compare;
  throw new ValidationError('compare', `compare must be 1d or 7d; got "${compare}"`);
}
