import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
import { grants, type CredentialScope } from '../../domain/access-scopes.js';
import { hashApiKey } from '../../domain/api-keys.js';
import { loadIngestConfig } from '../../ingest/config.js';
import { startIngestServer, type IngestServer } from '../../ingest/ingest-server.js';
import { loadQueryConfig } from '../../query/config.js';
import { startQueryServer, type QueryServer } from '../../query/app/query-server.js';
import { routeTable, type RouteRow } from './route-table.js';

/** Every credential the matrix tries: the three roles, a machine ingest key, and nothing at all. */
const credentials: Record<string, CredentialScope[] | undefined> = {
  none: undefined,
  ingest: ['ingest'],
  viewer: ['query'],
  operator: ['query', 'operator'],
  admin: ['query', 'operator', 'admin'],
};

/** A request each route accepts from a credential it grants: a valid body, a well-formed id. */
function requestFor(row: RouteRow): { path: string; body?: string } {
  const path = row.path.replace('{id}', 'gk_0123456789abcdef').replace('{name}', 'matrix-rule');
  const now = Date.now();
  const bodies: Record<string, unknown> = {
    'POST /api/v1/facts': [
      {
        event_id: `e${now}`,
        timestamp: now,
        service: 's',
        method: 'GET',
        path: '/',
        status_code: 200,
        latency_ms: 1,
      },
    ],
    'POST /api/v1/events': { type: 'deploy', service: 's', version: 'v1', timestamp: now },
    'POST /v1/traces': { resourceSpans: [] },
    'POST /v1/metrics': { resourceMetrics: [] },
    'POST /api/v1/keys': { name: 'made-by-matrix', scopes: ['query'] },
    'POST /api/v1/keys/{id}/rotate': {},
    'PUT /api/v1/alert-rules/{name}': { kind: 'silence', silence: {} },
    'POST /api/v1/alert-silences': { service: 's', expiresAt: now + 3_600_000 },
    // A new name per call: the matrix saves once per role that may.
    'POST /api/v1/views': { name: `matrix ${Math.random()}`, view: { range: '24h' } },
    'POST /api/v1/views/{id}/rename': { name: 'renamed by matrix' },
  };
  // Routes whose required query parameters make a bare path a 400.
  const queries: Record<string, string> = { 'GET /api/v1/service-map/edge': '?caller=a&callee=b' };
  const body = bodies[`${row.method} ${row.path}`];
  const query = queries[`${row.method} ${row.path}`] ?? '';
  return { path: `${path}${query}`, ...(body !== undefined && { body: JSON.stringify(body) }) };
}

function expectedOutcome(row: RouteRow, scopes: CredentialScope[] | undefined): 'allowed' | 401 | 403 {
  if (row.scope === 'public') return 'allowed';
  if (!scopes) return 401;
  return grants(scopes, row.scope) ? 'allowed' : 403;
}

/** Allowed calls reach their handler (a 2xx, or its own refusal of the placeholder id); refusals name their code. */
async function expectAnswerFits(
  res: Response,
  row: RouteRow,
  expected: 'allowed' | 401 | 403,
): Promise<void> {
  const text = await res.text();
  if (expected === 'allowed') {
    if (row.path !== '/')
      expect([row.path, res.status < 300 || [404, 409].includes(res.status)]).toEqual([row.path, true]);
    return;
  }
  const error = (JSON.parse(text) as { error: { code: string } }).error;
  expect(error.code).toBe(expected === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN');
}

const portOf = (row: RouteRow) => (row.server === 'ingest' ? ingest.port : query.port);

let ingest: IngestServer;
let query: QueryServer;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gx-roles-'));
  const keysFile = join(dir, 'api-keys.json');
  const keys = Object.entries(credentials)
    .filter(([, scopes]) => scopes)
    .map(([name, scopes]) => ({ name, tenant: 'acme', sha256: hashApiKey(`secret-${name}`), scopes }));
  writeFileSync(keysFile, JSON.stringify({ keys }));
  const env = {
    GRAVIX_DATA_DIR: dir,
    GRAVIX_API_KEYS_FILE: keysFile,
    GRAVIX_INGEST_HOST: '127.0.0.1',
    GRAVIX_QUERY_HOST: '127.0.0.1',
    GRAVIX_INGEST_PORT: '0',
    GRAVIX_INGEST_METRICS_PORT: '0',
    GRAVIX_QUERY_PORT: '0',
    GRAVIX_QUERY_METRICS_PORT: '0',
    GRAVIX_KEYS_RELOAD_MS: '200',
  };
  const store = new LocalObjectStore(join(dir, 'store'));
  const log = pino({ level: 'silent' });
  ingest = await startIngestServer(loadIngestConfig(env), store, log);
  query = await startQueryServer(loadQueryConfig(env), store, log);
}, 60_000);

afterAll(async () => {
  await ingest?.stop();
  await query?.stop();
});

describe('the route table, walked against the real servers (every route x every role x no credentials)', () => {
  const cases = routeTable.flatMap((row) => Object.keys(credentials).map((who) => [row, who] as const));

  it.each(cases)('%j called by %s gets what its scope says', async (row, who) => {
    const scopes = credentials[who];
    const { path, body } = requestFor(row);
    const res = await fetch(`http://127.0.0.1:${portOf(row)}${path}`, {
      method: row.method,
      headers: {
        'content-type': 'application/json',
        ...(scopes && { authorization: `Bearer secret-${who}` }),
      },
      ...(body !== undefined && { body }),
    });
    const expected = expectedOutcome(row, scopes);
    const got = res.status === 401 || res.status === 403 ? res.status : 'allowed';
    const route = `${row.method} ${path}`;
    expect({ who, route, got }).toEqual({ who, route, got: expected });
    await expectAnswerFits(res, row, expected);
  });
});

describe('every query-server route refuses a query parameter it does not take (docs/query-api.md, docs/adr/0130)', () => {
  // The shell's URL words, the provider's callback parameters, the probes' and the document's are not the API's
  // to list (queryParameters in workers/query/http/query-parameters.ts says why).
  const unlisted = new Set([
    'GET /',
    'GET /api/v1/auth/callback',
    'GET /live',
    'GET /ready',
    'GET /api/v1/openapi.json',
  ]);
  const rows = routeTable.filter((r) => r.server === 'query' && !unlisted.has(`${r.method} ${r.path}`));

  it.each(rows)('%j with ?range=15m answers 400 INVALID_QUERY_PARAMETER naming range', async (row) => {
    const { path, body } = requestFor(row);
    const res = await fetch(
      `http://127.0.0.1:${query.port}${path}${path.includes('?') ? '&' : '?'}range=15m`,
      {
        method: row.method,
        headers: { 'content-type': 'application/json', authorization: 'Bearer secret-admin' },
        ...(body !== undefined && { body }),
      },
    );
    const error = ((await res.json()) as { error: { code: string; field: string } }).error;
    expect({
      route: `${row.method} ${row.path}`,
      status: res.status,
      code: error.code,
      field: error.field,
    }).toEqual({
      route: `${row.method} ${row.path}`,
      status: 400,
      code: 'INVALID_QUERY_PARAMETER',
      field: 'range',
    });
  });
});
