import type { RawEdge } from '../../domain/raw-record.js';
import { EdgeMatcher } from './edge-matcher.js';

const t0 = Date.parse('2026-11-20T10:00:00Z');
const trace = '4bf92f3577b34da6a3ce929d0e0e4736';

const edge = (span: string, overrides: Partial<RawEdge> = {}): RawEdge => ({
  kind: 'edge',
  tenant: 't',
  event_id: `${trace}-${span}`,
  ts: t0 + 5_000,
  caller: 'checkout',
  status_code: 200,
  latency_ms: 10,
  trace_id: trace,
  span_id: span,
  ...overrides,
});

const calls = (m: EdgeMatcher) =>
  m.rows().map((r) => [r.startMs, r.caller, r.callee, r.requests, r.errors5xx]);

describe('EdgeMatcher', () => {
  it('names a callee from the SERVER span whose parent is the CLIENT span, whichever arrives first', () => {
    const before = new EdgeMatcher();
    before.addServerParent(trace, '1111111111111111', 'payments');
    before.addEdge(edge('1111111111111111'));
    const after = new EdgeMatcher();
    after.addEdge(edge('1111111111111111'));
    after.addServerParent(trace, '1111111111111111', 'payments');
    expect(calls(before)).toEqual([[t0, 'checkout', 'payments', 1, 0]]);
    expect(calls(after)).toEqual(calls(before));
    expect(after.stats).toEqual({ edges: 1, duplicates: 0, matched: 1, unresolved: 0 });
  });

  it('keeps a named callee, counts an unmatched edge under :unresolved and a re-sent span once', () => {
    const m = new EdgeMatcher();
    m.addEdge(edge('1111111111111111', { callee: 'db:5432', status_code: 503 }));
    m.addEdge(edge('1111111111111111', { callee: 'db:5432', status_code: 503 }));
    m.addEdge(edge('2222222222222222'));
    // Another trace's SERVER span with the same parent span id names nothing here.
    m.addServerParent('0af7651916cd43dd8448eb211c80319c', '2222222222222222', 'search');
    expect(calls(m)).toEqual([
      [t0, 'checkout', ':unresolved', 1, 0],
      [t0, 'checkout', 'db:5432', 1, 1],
    ]);
    expect(m.stats).toEqual({ edges: 2, duplicates: 1, matched: 0, unresolved: 1 });
  });

  it('past its pending bound counts new unnamed edges as unresolved at once instead of holding them', () => {
    const m = new EdgeMatcher({ maxServerParents: 10, maxPendingEdges: 1 });
    m.addEdge(edge('1111111111111111'));
    m.addEdge(edge('2222222222222222'));
    m.addServerParent(trace, '1111111111111111', 'a');
    m.addServerParent(trace, '2222222222222222', 'b');
    expect(calls(m)).toEqual([
      [t0, 'checkout', ':unresolved', 1, 0],
      [t0, 'checkout', 'a', 1, 0],
    ]);
  });

  it('counts a sampled edge as its adjusted count and merges latencies into one histogram per minute', () => {
    const m = new EdgeMatcher();
    m.addEdge(edge('1111111111111111', { callee: 'p', weight: 4, latency_ms: 100 }));
    m.addEdge(edge('2222222222222222', { callee: 'p', latency_ms: 1 }));
    m.addEdge(edge('3333333333333333', { callee: 'p', ts: t0 + 60_000 }));
    const [first, second] = m.rows();
    expect([first?.requests, first?.estimatedRequests, first?.latencyMaxMs]).toEqual([5, 4, 100]);
    expect(first?.latency.counts.reduce((a, b) => a + b, 0)).toBe(5);
    expect(second?.startMs).toBe(t0 + 60_000);
  });
});
