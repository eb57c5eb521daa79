import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
import { hashApiKey } from '../../domain/api-keys.js';
import { staticKeys } from '../../domain/key-ring.js';
import { openApiDocument } from '../../shared/http/openapi-document.js';
import { EngineUnavailableError, QueryTimeoutError, TooManyQueriesError } from '../app/engine-guard.js';
import type { QueryService } from '../app/query-service.js';
import { identityOverStore } from './identity-routes.js';
import { buildQueryApp } from './query-app.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A query server whose one engine read (the tenant's stored cardinality) fails as the engine guard fails it. */
async function serverFailingWith(error: Error): Promise<{ url: string; close: () => Promise<void> }> {
  const store = new LocalObjectStore(mkdtempSync(join(tmpdir(), 'gx-tenant-usage-')));
  // Only storedCardinality is reached by this route; the guard's errors are what the real EngineGuard throws.
  const service = {
    storedCardinality: () => Promise.reject(error),
  } as unknown as QueryService;
  const app = buildQueryApp({
    service,
    keys: staticKeys([{ name: 'admin', tenant: 'acme', sha256: hashApiKey('admin-key'), scopes: ['admin'] }]),
    identity: identityOverStore(store, pino({ level: 'silent' })),
    log: pino({ level: 'silent' }),
    readiness: async () => ({ ready: true }),
  });
  const server: Server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/tenant-usage`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const documentedStatuses = () =>
  Object.keys(
    (openApiDocument().paths['/api/v1/tenant-usage'] as { get: { responses: Record<string, unknown> } }).get
      .responses,
  );

describe('GET /api/v1/tenant-usage when the engine refuses or fails (docs/openapi/gravix-api.yaml)', () => {
  it.each<[string, Error, number, string]>([
    ['the tenant is at its statement caps', new TooManyQueriesError('too many queries'), 429, '1'],
    ['a statement timed out', new QueryTimeoutError('the query ran past 10000 ms'), 503, '5'],
    ['the breaker is open', new EngineUnavailableError('the engine is unavailable', 15), 503, '15'],
  ])(
    'answers as the data calls do when %s: the documented status, body and Retry-After',
    async (_, error, status, retryAfter) => {
      const server = await serverFailingWith(error);
      try {
        const res = await fetch(server.url, { headers: { authorization: 'Bearer admin-key' } });
        expect(res.status).toBe(status);
        expect(res.headers.get('retry-after')).toBe(retryAfter);
        expect(await res.json()).toEqual({
          error: {
            code: (error as { code?: string }).code,
            message: error.message,
            request_id: res.headers.get('x-request-id'),
          },
        });
        expect(documentedStatuses()).toContain(String(status));
      } finally {
        await server.close();
      }
    },
  );
});
