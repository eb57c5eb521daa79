import fc from 'fast-check';
import type { RawEdge } from '../../domain/raw-record.js';
import { unresolvedCallee } from '../../domain/request-vocabulary.js';
import { EdgeMatcher } from './edge-matcher.js';

const minute = 60_000;
const hour = 60 * minute;
const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
const span = (n: number) => n.toString(16).padStart(16, '0');

/**
 * One call: its CLIENT span starts `clientStart` ms from the boundary and lasts `duration`; the server takes it up
 * a share of that duration in (queued, retried), and the server's clock reads `skew` ms more than the client's.
 */
const callArb = (maxSkew: number) =>
  fc.record({
    clientStart: fc.integer({ min: -20 * minute, max: 20 * minute }),
    duration: fc.oneof(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: 25 * minute })),
    queuedShare: fc.double({ min: 0, max: 1, noNaN: true }),
    skew: fc.integer({ min: -maxSkew, max: maxSkew }),
    named: fc.boolean(),
    order: fc.integer(),
  });
type Call = ReturnType<typeof callArb> extends fc.Arbitrary<infer T> ? T : never;

/** Any whole hour, midnight and a year's end included: the matcher only sees milliseconds. */
const boundaryArb = fc.oneof(
  fc.constant(Date.parse('2027-01-01T00:00:00Z')),
  fc.integer({ min: 400_000, max: 600_000 }).map((h) => h * hour),
);

interface Input {
  hour: 0 | 1;
  order: number;
  add: (m: EdgeMatcher) => void;
}

/** Each call's CLIENT and SERVER span as inputs of the hour they fall in, and the hour the call counts in. */
function inputsOf(calls: readonly Call[], boundary: number) {
  const inputs: Input[] = [];
  const calls_ = calls.map((c, i) => {
    const clientSpan = span(i + 1);
    const ts = boundary + c.clientStart;
    const serverTs = ts + Math.floor(c.duration * c.queuedShare) + c.skew;
    const clientHour = ts < boundary ? 0 : 1;
    const serverHour = serverTs < boundary ? 0 : 1;
    const callee = `svc-${i}`;
    const e: RawEdge = {
      kind: 'edge',
      tenant: 't',
      event_id: `${trace}-${clientSpan}`,
      ts,
      caller: 'checkout',
      status_code: 200,
      latency_ms: c.duration,
      trace_id: trace,
      span_id: clientSpan,
      ...(c.named ? { callee } : {}),
    };
    inputs.push({ hour: clientHour, order: c.order, add: (m) => m.addEdge(e) });
    inputs.push({
      hour: serverHour,
      order: c.order ^ 0x5bd1e995,
      add: (m) => m.addServerParent(trace, clientSpan, callee, serverTs),
    });
    return { callee, clientHour, serverHour, named: c.named };
  });
  // Any input order: the rollup reads segments in key order, not in time order.
  inputs.sort((a, b) => a.order - b.order);
  return { inputs, calls: calls_ };
}

/**
 * The two hours as the rollup computes them: each hour's carry from its own inputs, then each hour's rows with its
 * neighbour's carry; returns the counts per callee of each hour, and checks that the carry did not depend on the
 * neighbour (what keeps the hours free of cycles).
 */
function rollUpBoth(inputs: readonly Input[], boundary: number) {
  const feed = (h: 0 | 1) => {
    const m = new EdgeMatcher(h === 0 ? boundary - hour : boundary);
    for (const input of inputs) if (input.hour === h) input.add(m);
    return m;
  };
  const alone = ([0, 1] as const).map((h) => {
    const m = feed(h);
    m.rows();
    return m.carry();
  });
  const earlier = feed(0);
  const later = feed(1);
  const counts = [
    countsByCallee(earlier.rows({ next: new Map(alone[1]!.heads) })),
    countsByCallee(later.rows({ prev: new Map(alone[0]!.tails) })),
  ];
  expect([earlier.carry(), later.carry()]).toEqual(alone);
  return counts;
}

function countsByCallee(rows: readonly { callee: string; requests: number }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of rows) counts[r.callee] = (counts[r.callee] ?? 0) + r.requests;
  return counts;
}

describe('EdgeMatcher across an hour boundary, both directions (property, docs/adr/0111, 0128)', () => {
  it('names every call whose SERVER span starts in its own, the next or the previous hour, with clocks up to 5 minutes apart either way', () => {
    fc.assert(
      fc.property(
        fc.array(callArb(5 * minute - 1), { minLength: 1, maxLength: 40 }),
        boundaryArb,
        (generated, boundary) => {
          const { inputs, calls } = inputsOf(generated, boundary);
          const expected: Record<string, number>[] = [{}, {}];
          for (const c of calls) expected[c.clientHour]![c.callee] = 1;
          expect(rollUpBoth(inputs, boundary)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('with clocks up to 15 minutes apart names no call wrongly and counts each once, in its own hour', () => {
    fc.assert(
      fc.property(
        fc.array(callArb(15 * minute), { minLength: 1, maxLength: 40 }),
        boundaryArb,
        (generated, boundary) => {
          const { inputs, calls } = inputsOf(generated, boundary);
          const counts = rollUpBoth(inputs, boundary);
          for (const [h, hourCounts] of counts.entries()) {
            const own = calls.filter((c) => c.clientHour === h);
            const total = Object.values(hourCounts).reduce((a, b) => a + b, 0);
            expect(total).toBe(own.length);
            for (const c of own) {
              // Named by the span itself or matched within its hour: always its callee.
              if (c.named || c.serverHour === c.clientHour) expect(hourCounts[c.callee]).toBe(1);
              else expect([undefined, 1]).toContain(hourCounts[c.callee]);
            }
            const named = Object.keys(hourCounts).filter((k) => k !== unresolvedCallee);
            expect(named.every((k) => own.some((c) => c.callee === k))).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
