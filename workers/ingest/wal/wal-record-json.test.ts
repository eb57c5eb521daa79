import type { RawEdge, RawFact } from '../../domain/raw-record.js';
import { buildWalFact } from '../testing/wal-test-records.js';
import { rawEdgeJson, rawFactJson, walRecordJson } from './wal-record-json.js';

const fact = (overrides: Partial<RawFact> = {}) =>
  buildWalFact({
    ts: 1_795_000_000_123,
    service: 'checkout',
    path: '/orders/:id',
    latency_ms: 12.5,
    ...overrides,
  });

describe('rawFactJson', () => {
  it.each([
    ['a plain fact', fact()],
    ['optional fields', fact({ env: 'prod', version: 'v1.2.3', trace_id: 'abc123' })],
    ['quotes and backslashes', fact({ event_id: 'say "hi"\\now', path: '/a\\b' })],
    ['control characters', fact({ service: 'tab\there\nnewline\u0001', env: '\u001f' })],
    ['non-ASCII and paired surrogates', fact({ service: 'café ☕', event_id: '😀-id' })],
    ['lone surrogates', fact({ event_id: 'x\ud800y', trace_id: '\udfff' })],
    ['U+2028 and U+2029', fact({ version: 'a\u2028b\u2029c' })],
    ['integral and fractional numbers', fact({ latency_ms: 0, status_code: 599, ts: 0 })],
  ])('is exactly JSON.stringify for %s', (_name, record) => {
    expect(rawFactJson(record)).toBe(JSON.stringify(record));
  });

  it('writes a non-finite number as null, as JSON.stringify does', () => {
    expect(JSON.parse(rawFactJson(fact({ latency_ms: Number.NaN })))).toMatchObject({ latency_ms: null });
  });
});

/** An edge as readEdge builds it (map-client-span.ts): `callee` and `weight` are set after the literal. */
const edge = (overrides: Partial<RawEdge> = {}): RawEdge => {
  const { callee, weight, ...rest } = overrides;
  const built: RawEdge = {
    kind: 'edge',
    tenant: 'acme',
    event_id: '0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331',
    ts: 1_795_000_000_123,
    caller: 'checkout',
    status_code: 200,
    latency_ms: 12.5,
    trace_id: '0af7651916cd43dd8448eb211c80319c',
    span_id: 'b7ad6b7169203331',
    ...rest,
  };
  if (callee !== undefined) built.callee = callee;
  if (weight !== undefined) built.weight = weight;
  return built;
};

describe('rawEdgeJson', () => {
  it.each([
    ['an edge whose callee the rollup names', edge()],
    ['a named callee', edge({ callee: 'payments' })],
    ['a sampled call', edge({ callee: 'db:5432', weight: 4 })],
    ['a weight without a callee', edge({ weight: 1.25 })],
    ['quotes, backslashes and control characters', edge({ caller: 'a"b\\c', callee: 'tab\there\u0001' })],
    ['non-ASCII, paired and lone surrogates', edge({ caller: 'café ☕', callee: 'x\ud800y😀' })],
    ['integral and fractional numbers', edge({ latency_ms: 0, status_code: 599, ts: 0, weight: 0.5 })],
  ])('is exactly JSON.stringify for %s', (_name, record) => {
    expect(rawEdgeJson(record)).toBe(JSON.stringify(record));
    expect(walRecordJson(record)).toBe(JSON.stringify(record));
  });
});

describe('walRecordJson', () => {
  it('serialises service events and dead letters with JSON.stringify', () => {
    const event = {
      kind: 'event' as const,
      tenant: 'acme',
      event_id: 'd-1',
      ts: 1,
      type: 'deploy' as const,
      service: 'api',
    };
    const dead = {
      kind: 'rejected' as const,
      tenant: 'acme',
      received_at: 2,
      error: { index: 0, code: 'NOT_AN_OBJECT' as const, message: 'item 0 must be a JSON object' },
      item: [1],
    };
    expect(walRecordJson(event)).toBe(JSON.stringify(event));
    expect(walRecordJson(dead)).toBe(JSON.stringify(dead));
    expect(walRecordJson(fact())).toBe(JSON.stringify(fact()));
  });
});
