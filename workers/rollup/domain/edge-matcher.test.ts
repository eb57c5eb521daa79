import type { RawEdge } from '../../domain/raw-record.js';
import { defaultEdgeMatchLimits, EdgeMatcher } from './edge-matcher.js';

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
    const before = new EdgeMatcher(t0);
    before.addServerParent(trace, '1111111111111111', 'payments', t0);
    before.addEdge(edge('1111111111111111'));
    const after = new EdgeMatcher(t0);
    after.addEdge(edge('1111111111111111'));
    after.addServerParent(trace, '1111111111111111', 'payments', t0);
    expect(calls(before)).toEqual([[t0, 'checkout', 'payments', 1, 0]]);
    expect(calls(after)).toEqual(calls(before));
    expect(after.stats).toEqual({
      edges: 1,
      duplicates: 0,
      matched: 1,
      unresolved: 0,
      waiting: 0,
      next_matched: 0,
      early: 0,
      prev_matched: 0,
    });
  });

  it('keeps a named callee, counts an unmatched edge under :unresolved and a re-sent span once', () => {
    const m = new EdgeMatcher(t0);
    m.addEdge(edge('1111111111111111', { callee: 'db:5432', status_code: 503 }));
    m.addEdge(edge('1111111111111111', { callee: 'db:5432', status_code: 503 }));
    m.addEdge(edge('2222222222222222'));
    // Another trace's SERVER span with the same parent span id names nothing here.
    m.addServerParent('0af7651916cd43dd8448eb211c80319c', '2222222222222222', 'search', t0);
    expect(calls(m)).toEqual([
      [t0, 'checkout', ':unresolved', 1, 0],
      [t0, 'checkout', 'db:5432', 1, 1],
    ]);
    expect(m.stats).toEqual({
      edges: 2,
      duplicates: 1,
      matched: 0,
      unresolved: 1,
      waiting: 0,
      next_matched: 0,
      // It starts in the hour's first minutes: offered to the previous hour's tails (docs/adr/0128).
      early: 1,
      prev_matched: 0,
    });
  });

  it('past its pending bound counts new unnamed edges as unresolved at once instead of holding them', () => {
    const m = new EdgeMatcher(t0, { ...defaultEdgeMatchLimits, maxServerParents: 10, maxPendingEdges: 1 });
    m.addEdge(edge('1111111111111111'));
    m.addEdge(edge('2222222222222222'));
    m.addServerParent(trace, '1111111111111111', 'a', t0);
    m.addServerParent(trace, '2222222222222222', 'b', t0);
    expect(calls(m)).toEqual([
      [t0, 'checkout', ':unresolved', 1, 0],
      [t0, 'checkout', 'a', 1, 0],
    ]);
  });

  it('counts a sampled edge as its adjusted count and merges latencies into one histogram per minute', () => {
    const m = new EdgeMatcher(t0);
    m.addEdge(edge('1111111111111111', { callee: 'p', weight: 4, latency_ms: 100 }));
    m.addEdge(edge('2222222222222222', { callee: 'p', latency_ms: 1 }));
    m.addEdge(edge('3333333333333333', { callee: 'p', ts: t0 + 60_000 }));
    const [first, second] = m.rows();
    expect([first?.requests, first?.estimatedRequests, first?.latencyMaxMs]).toEqual([5, 4, 100]);
    expect(first?.latency.counts.reduce((a, b) => a + b, 0)).toBe(5);
    expect(second?.startMs).toBe(t0 + 60_000);
  });

  describe('across the hour boundary (docs/adr/0096)', () => {
    const hour = 3_600_000;
    const late = (span: string, overrides: Partial<RawEdge> = {}) =>
      edge(span, { ts: t0 + hour - 2_000, latency_ms: 1_500, ...overrides });

    it('hands an unmatched call that ends near the hour end to the next hour, which names it from any SERVER span of its hour whose parent it does not hold (docs/adr/0111)', () => {
      const next = new EdgeMatcher(t0 + hour);
      next.addServerParent(trace, '1111111111111111', 'payments', t0 + hour + 300);
      // Minute 6 and later: a call queued for minutes, or a server clock behind; before ADR 0111 not a head.
      next.addServerParent(trace, '3333333333333333', 'search', t0 + hour + 6 * 60_000);
      // A SERVER span whose CLIENT span is in its own hour is matched there: not handed on.
      next.addEdge(edge('4444444444444444', { ts: t0 + hour + 60_000 }));
      next.addServerParent(trace, '4444444444444444', 'stock', t0 + hour + 60_001);
      next.rows();
      const heads = new Map(next.carry().heads);
      expect([...heads]).toEqual([
        [trace + '1111111111111111', 'payments'],
        [trace + '3333333333333333', 'search'],
      ]);

      const m = new EdgeMatcher(t0);
      m.addEdge(late('1111111111111111'));
      m.addEdge(late('3333333333333333'));
      // Ends 10 minutes before the hour's end: not waiting, unresolved at once.
      m.addEdge(edge('2222222222222222', { ts: t0 + 40 * 60_000, latency_ms: 100 }));
      const minute59 = t0 + 59 * 60_000;
      expect(m.rows({ next: heads }).map((r) => [r.startMs, r.callee, r.requests])).toEqual([
        [t0 + 40 * 60_000, ':unresolved', 1],
        [minute59, 'payments', 1],
        [minute59, 'search', 1],
      ]);
      expect(m.stats).toEqual({
        edges: 3,
        duplicates: 0,
        matched: 2,
        unresolved: 1,
        waiting: 2,
        next_matched: 2,
        early: 0,
        prev_matched: 0,
      });
      expect(m.carry().waiting).toEqual([trace + '1111111111111111', trace + '3333333333333333']);
    });

    it('without the next hour counts its waiting calls unresolved, and matched within the hour they are not waiting', () => {
      const m = new EdgeMatcher(t0);
      m.addEdge(late('1111111111111111'));
      m.addEdge(late('2222222222222222'));
      m.addServerParent(trace, '2222222222222222', 'payments', t0 + hour - 1_000);
      expect(calls(m)).toEqual([
        [t0 + 59 * 60_000, 'checkout', ':unresolved', 1, 0],
        [t0 + 59 * 60_000, 'checkout', 'payments', 1, 0],
      ]);
      expect(m.carry()).toEqual({ heads: [], waiting: [trace + '1111111111111111'], tails: [], early: [] });
    });

    it('keeps its carry within its bounds: the earliest heads, the first waiting calls in input order, the rest unresolved', () => {
      const limits = { ...defaultEdgeMatchLimits, maxCarriedHeads: 1, maxCarriedWaiting: 1 };
      const next = new EdgeMatcher(t0 + hour, limits);
      next.addServerParent(trace, '2222222222222222', 'b', t0 + hour + 1);
      next.addServerParent(trace, '1111111111111111', 'a', t0 + hour);
      expect(next.carry().heads).toEqual([[trace + '1111111111111111', 'a']]);
      const m = new EdgeMatcher(t0, limits);
      m.addEdge(late('2222222222222222'));
      m.addEdge(late('1111111111111111'));
      m.rows({ next: new Map([[trace + '1111111111111111', 'a']]) });
      expect(m.carry().waiting).toEqual([trace + '2222222222222222']);
      expect(m.stats).toMatchObject({ waiting: 1, next_matched: 0, unresolved: 2 });
    });
  });
  describe('across the previous hour boundary (docs/adr/0128)', () => {
    const hour = 3_600_000;
    const boundary = t0 + hour;

    it('hands the orphan SERVER spans of its last 5 minutes on as tails, which name the next hour’s unmatched calls of its first 5 minutes', () => {
      const prev = new EdgeMatcher(t0);
      // Stamped 2 s before the boundary by a server whose clock is behind its client's.
      prev.addServerParent(trace, '1111111111111111', 'payments', boundary - 2_000);
      // 6 minutes before: a head, not a tail.
      prev.addServerParent(trace, '2222222222222222', 'search', boundary - 6 * 60_000);
      // Its CLIENT span is in its own hour: matched there, handed on nowhere.
      prev.addEdge(edge('3333333333333333', { ts: boundary - 10_000 }));
      prev.addServerParent(trace, '3333333333333333', 'stock', boundary - 9_000);
      prev.rows();
      expect(prev.carry().tails).toEqual([[trace + '1111111111111111', 'payments']]);

      const m = new EdgeMatcher(boundary);
      m.addEdge(edge('1111111111111111', { ts: boundary + 1_000 }));
      m.addEdge(edge('2222222222222222', { ts: boundary + 1_500 }));
      // Starts 6 minutes in: not early, unresolved at once.
      m.addEdge(edge('4444444444444444', { ts: boundary + 6 * 60_000 }));
      expect(
        m.rows({ prev: new Map(prev.carry().tails) }).map((r) => [r.startMs, r.callee, r.requests]),
      ).toEqual([
        [boundary, ':unresolved', 1],
        [boundary, 'payments', 1],
        [boundary + 6 * 60_000, ':unresolved', 1],
      ]);
      expect(m.stats).toMatchObject({ matched: 1, unresolved: 2, early: 2, prev_matched: 1, waiting: 0 });
      expect(m.carry().early).toEqual([trace + '1111111111111111', trace + '2222222222222222']);
    });

    it('keeps its tails and early calls within their bounds: the latest tails, the first early calls in input order', () => {
      const limits = { ...defaultEdgeMatchLimits, maxCarriedTails: 1, maxCarriedEarly: 1 };
      const prev = new EdgeMatcher(t0, limits);
      prev.addServerParent(trace, '1111111111111111', 'a', boundary - 1);
      prev.addServerParent(trace, '2222222222222222', 'b', boundary - 2);
      expect(prev.carry().tails).toEqual([[trace + '1111111111111111', 'a']]);
      const m = new EdgeMatcher(boundary, limits);
      m.addEdge(edge('2222222222222222', { ts: boundary }));
      m.addEdge(edge('1111111111111111', { ts: boundary }));
      m.rows({ prev: new Map([[trace + '1111111111111111', 'a']]) });
      expect(m.carry().early).toEqual([trace + '2222222222222222']);
      expect(m.stats).toMatchObject({ early: 1, prev_matched: 0, unresolved: 2 });
    });

    it('names a call carried to both sides from the next hour first, and carries it to both whatever they name', () => {
      const m = new EdgeMatcher(t0);
      m.addEdge(edge('1111111111111111', { ts: t0 + 1_000, latency_ms: hour }));
      const key = trace + '1111111111111111';
      const rows = m.rows({ next: new Map([[key, 'later']]), prev: new Map([[key, 'earlier']]) });
      expect(rows.map((r) => r.callee)).toEqual(['later']);
      expect(m.carry()).toMatchObject({ waiting: [key], early: [key] });
      expect(m.stats).toMatchObject({ matched: 1, next_matched: 1, prev_matched: 0 });
    });
  });
});
