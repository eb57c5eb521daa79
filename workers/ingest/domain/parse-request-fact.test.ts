import { parseRequestFact, type FactContext } from './parse-request-fact.js';
import { RouteBudget } from './route-budget.js';

const now = Date.parse('2026-11-23T12:00:00Z');
const ctx = (): FactContext => ({
  tenant: 'acme',
  window: { now, maxPastMs: 7 * 86_400_000, maxFutureMs: 3_600_000 },
  routes: new RouteBudget(100),
});
const fact = (overrides: Record<string, unknown> = {}) => ({
  event_id: 'e-1',
  timestamp: '2026-11-23T11:59:00.250Z',
  service: 'checkout',
  method: 'post',
  path: '/orders/123?x=1',
  status_code: 201,
  latency_ms: 12.5,
  ...overrides,
});

describe('parseRequestFact', () => {
  it('turns a valid fact into a raw record with a normalised path and upper-case method', () => {
    expect(parseRequestFact(fact({ env: 'prod' }), 0, ctx())).toEqual({
      ok: true,
      value: {
        kind: 'fact',
        tenant: 'acme',
        event_id: 'e-1',
        ts: Date.parse('2026-11-23T11:59:00.250Z'),
        service: 'checkout',
        method: 'POST',
        path: '/orders/:id',
        status_code: 201,
        latency_ms: 12.5,
        env: 'prod',
      },
    });
  });

  it('counts a service in code points, as the OpenAPI maxLength does: 128 emoji pass, 129 are OUT_OF_RANGE', () => {
    const ok = parseRequestFact(fact({ service: '🚀'.repeat(128) }), 0, ctx());
    expect(ok.ok && ok.value.service).toBe('🚀'.repeat(128));
    expect(parseRequestFact(fact({ service: '🚀'.repeat(129) }), 0, ctx())).toEqual({
      ok: false,
      error: {
        index: 0,
        code: 'OUT_OF_RANGE',
        field: 'service',
        message: 'service must be 1 to 128 characters, got 129',
      },
    });
  });

  it('accepts epoch milliseconds as the timestamp', () => {
    const result = parseRequestFact(fact({ timestamp: now - 1000 }), 0, ctx());
    expect(result.ok && result.value.ts).toBe(now - 1000);
  });

  it.each([
    [{ event_id: undefined }, 'MISSING_FIELD', 'event_id', 'event_id is required'],
    [{ status_code: 600 }, 'OUT_OF_RANGE', 'status_code', 'status_code must be between 100 and 599, got 600'],
    [{ status_code: 200.5 }, 'INVALID_TYPE', 'status_code', 'status_code must be an integer, got 200.5'],
    [{ latency_ms: -1 }, 'OUT_OF_RANGE', 'latency_ms', 'latency_ms must be between 0 and 3600000, got -1'],
    [{ latency_ms: '5' }, 'INVALID_TYPE', 'latency_ms', 'latency_ms must be a finite number, got "5"'],
    [
      { method: 'FETCH' },
      'INVALID_VALUE',
      'method',
      'method must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, TRACE, CONNECT, got "FETCH"',
    ],
    [{ path: 'orders' }, 'INVALID_VALUE', 'path', `path must start with '/', got "orders"`],
    [
      { timestamp: 'yesterday' },
      'INVALID_VALUE',
      'timestamp',
      'timestamp must be an RFC 3339 string or integer epoch milliseconds, got "yesterday"',
    ],
    [
      // Date.parse rolls a day that does not exist over into the next month.
      { timestamp: '2026-11-31T11:00:00Z' },
      'INVALID_VALUE',
      'timestamp',
      'timestamp must be an RFC 3339 string or integer epoch milliseconds, got "2026-11-31T11:00:00Z"',
    ],
    [
      { timestamp: '2026-11-23T14:00:00Z' },
      'OUT_OF_RANGE',
      'timestamp',
      'timestamp must be between 2026-11-16T12:00:00.000Z and 2026-11-23T13:00:00.000Z, got "2026-11-23T14:00:00Z"',
    ],
  ])('rejects %j with %s on %s', (overrides, code, field, message) => {
    expect(parseRequestFact(fact(overrides), 3, ctx())).toEqual({
      ok: false,
      error: { index: 3, code, field, message },
    });
  });

  it('rejects a non-object item with NOT_AN_OBJECT', () => {
    expect(parseRequestFact([1], 2, ctx())).toEqual({
      ok: false,
      error: { index: 2, code: 'NOT_AN_OBJECT', message: 'item 2 must be a JSON object' },
    });
  });
});
