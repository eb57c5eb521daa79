import fc from 'fast-check';
import type { ExemplarRow } from '../app/query-engine.js';
import { compareExemplars, mergeExemplarRows } from './exemplar-order.js';

const row = fc.record({
  minute: fc.integer({ min: 0, max: 5 }),
  service: fc.constantFrom('a', 'b', '𝔸', '\uffff'),
  method: fc.constantFrom('GET', 'POST'),
  path: fc.constantFrom('/x', '/y'),
  traceId: fc.constantFrom('t1', 't2', 't3'),
  spanId: fc.option(fc.constantFrom('s1', ''), { nil: null }),
  latencyMs: fc.constantFrom(0, 1, 2),
  statusCode: fc.constantFrom(200, 500),
  t: fc.integer({ min: 0, max: 3 }),
}) satisfies fc.Arbitrary<ExemplarRow>;

describe('exemplar order', () => {
  it("merges two parts' first `limit` into the whole list's first `limit` (what the result cache relies on)", () => {
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 40 }),
        fc.array(fc.boolean(), { maxLength: 40 }),
        fc.constantFrom('slowest' as const, 'failed' as const),
        fc.integer({ min: 1, max: 10 }),
        (rows, sides, kind, limit) => {
          const parts: ExemplarRow[][] = [[], []];
          rows.forEach((r, i) => parts[sides[i] ? 1 : 0]!.push(r));
          const tops = parts.map((p) => [...p].sort(compareExemplars(kind)).slice(0, limit));
          expect(mergeExemplarRows(kind, tops, limit)).toEqual(
            [...rows].sort(compareExemplars(kind)).slice(0, limit),
          );
        },
      ),
    );
  });

  it('lists the slowest first, then the latest; recent 5xx newest first, then the slowest', () => {
    const base = { minute: 0, service: 's', method: 'GET', path: '/', spanId: null, statusCode: 500 };
    const rows = [
      { ...base, traceId: 'a', latencyMs: 5, t: 1 },
      { ...base, traceId: 'b', latencyMs: 9, t: 0 },
      { ...base, traceId: 'c', latencyMs: 5, t: 2 },
    ];
    expect([...rows].sort(compareExemplars('slowest')).map((r) => r.traceId)).toEqual(['b', 'c', 'a']);
    expect([...rows].sort(compareExemplars('failed')).map((r) => r.traceId)).toEqual(['c', 'a', 'b']);
  });

  it('orders text by code point as the engines do, not by UTF-16 unit', () => {
    const base = {
      minute: 0,
      method: 'GET',
      path: '/',
      traceId: 't',
      spanId: null,
      statusCode: 200,
      latencyMs: 1,
      t: 0,
    };
    // U+1D538 (a surrogate pair in UTF-16, 0xD835...) sorts after U+FFFF by code point, before it by UTF-16 unit.
    const sorted = [
      { ...base, service: '𝔸' },
      { ...base, service: '\uffff' },
    ].sort(compareExemplars('slowest'));
    expect(sorted.map((r) => r.service)).toEqual(['\uffff', '𝔸']);
  });
});
