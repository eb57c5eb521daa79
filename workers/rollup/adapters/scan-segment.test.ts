import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { PartitionAccumulator } from '../domain/partition-accumulator.js';
import { readGzipLineChunks } from './raw-segment-lines.js';
import { scanSegment } from './scan-segment.js';
import type { SegmentScanResult } from '../domain/segment-scan-result.js';
import type { EndpointMinutes } from '../../domain/minute-metrics.js';

const hourMs = Date.parse('2026-11-20T10:00:00Z');
const limits = { dedupeBudgetBytes: 1 << 20, maxPartitionRows: 100_000, slices: 1, partition: 'p' };

/** Latencies where bucketing is delicate: zero, subnormal, sub-microsecond, bucket edges, hour-long. */
const latency = fc.oneof(
  fc.constantFrom(0, 5e-324, 2 ** -1022, 1e-300, 1e-6, 1, 1.0202020202020203, 3_600_000),
  fc.double({ min: 0, max: 1e6, noNaN: true }),
  fc.integer({ min: 0, max: 5000 }),
);

const fact = fc.record(
  {
    kind: fc.constant('fact'),
    event_id: fc
      .constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j')
      .chain((p) => fc.nat(40).map((n) => `${p}-${n}`)),
    // Mostly inside the hour, sometimes just outside it.
    ts: fc.integer({ min: hourMs - 1000, max: hourMs + 3_600_000 + 1000 }),
    service: fc.constantFrom('checkout', 'search', 'auth', 'é-svc'),
    method: fc.constantFrom('GET', 'POST'),
    path: fc.constantFrom('/a', '/b/:id', '/c'),
    status_code: fc.integer({ min: 100, max: 599 }),
    latency_ms: latency,
    // Facts with a trace id (OTLP spans, JSON facts that send one) feed the rows' exemplars.
    trace_id: fc.constantFrom(
      '4bf92f3577b34da6a3ce929d0e0e4736',
      '0af7651916cd43dd8448eb211c80319c',
      'ab',
      '',
    ),
    span_id: fc.constantFrom('00f067aa0ba902b7', 'b7ad6b7169203331', ''),
    // A SERVER span's parent: a CLIENT span's edge below names its callee from it (docs/adr/0085).
    parent_span_id: fc.constantFrom('1111111111111111', '2222222222222222'),
  },
  {
    requiredKeys: ['kind', 'event_id', 'ts', 'service', 'method', 'path', 'status_code', 'latency_ms'],
  },
);

/** A CLIENT span's edge, with or without a callee, sometimes re-sent (same event id). */
const edge = fc
  .record({
    trace: fc.constantFrom('4bf92f3577b34da6a3ce929d0e0e4736', '0af7651916cd43dd8448eb211c80319c'),
    span: fc.constantFrom('1111111111111111', '2222222222222222', '3333333333333333'),
    ts: fc.integer({ min: hourMs, max: hourMs + 3_599_999 }),
    callee: fc.constantFrom(undefined, 'payments', 'db:5432'),
    status_code: fc.constantFrom(200, 404, 503),
    latency_ms: latency,
    weight: fc.constantFrom(undefined, 4),
  })
  .map((e) =>
    JSON.stringify({
      kind: 'edge',
      tenant: 't',
      event_id: `${e.trace}-${e.span}`,
      ts: e.ts,
      caller: 'checkout',
      callee: e.callee,
      status_code: e.status_code,
      latency_ms: e.latency_ms,
      trace_id: e.trace,
      span_id: e.span,
      weight: e.weight,
    }),
  );

/** Canonical lines, the same fact re-sent, non-canonical forms, service events, edges and garbage. */
const line = fc.oneof(
  { weight: 1, arbitrary: edge },
  { weight: 6, arbitrary: fact.map((f) => JSON.stringify(f)) },
  { weight: 1, arbitrary: fact.map((f) => JSON.stringify(f, null, 1).replaceAll('\n', '')) },
  {
    weight: 1,
    arbitrary: fc
      .record({ id: fc.nat(5), ts: fc.integer({ min: hourMs, max: hourMs + 3_599_999 }) })
      .map((e) =>
        JSON.stringify({
          kind: 'event',
          event_id: `ev-${e.id}`,
          ts: e.ts,
          type: 'deploy',
          service: 'checkout',
          version: 'v1',
        }),
      ),
  },
  { weight: 1, arbitrary: fc.constantFrom('{', 'not json', '{"kind":"fact"}', '') },
);

async function inThread(segments: string[][]) {
  const acc = new PartitionAccumulator(hourMs, () => undefined, limits);
  for (const segment of segments) {
    for await (const chunk of readGzipLineChunks(gzipSync(segment.join('\n')))) acc.addChunk(chunk);
  }
  return acc;
}

/** Each segment scanned as a worker does, its pieces added in order (pieceFacts: the default unless given). */
async function scanned(segments: string[][], pieceFacts?: number) {
  const acc = new PartitionAccumulator(hourMs, () => undefined, limits);
  for (const [id, segment] of segments.entries()) {
    const pieces: SegmentScanResult[] = [];
    const request = { id, key: `s${id}`, body: gzipSync(segment.join('\n')), startMs: hourMs };
    await scanSegment(request, (piece) => pieces.push(piece), pieceFacts);
    expect(pieces.map((p) => p.last)).toEqual([...pieces.slice(1).map(() => false), true]);
    const endpoints: EndpointMinutes[] = [];
    for (const piece of pieces) acc.addScan(piece, endpoints);
  }
  return acc;
}

describe('scanSegment (what each scan worker thread runs)', () => {
  it('aggregates to the same rows, bits and stats as the in-thread path, whatever the lines and pieces', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(line, { maxLength: 60 }), { minLength: 1, maxLength: 4 }),
        // Pieces of 1-8 facts cut segments between any two facts (lines, parents and exemplars around the cut).
        fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
        async (segments, pieceFacts) => {
          const [a, b] = [await inThread(segments), await scanned(segments, pieceFacts)];
          // toEqual compares latency_sum_ms bit for bit: the float sum must see the facts in the same order.
          expect(b.aggregator.rows()).toEqual(a.aggregator.rows());
          expect(b.edges.rows()).toEqual(a.edges.rows());
          expect(b.edges.stats).toEqual(a.edges.stats);
          expect(b.stats).toEqual(a.stats);
          expect([...b.events]).toEqual([...a.events]);
          expect(b.newestTs).toBe(a.newestTs);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps the same exemplars whatever the order of the lines and however they are split into segments and pieces', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 80 }),
        fc.nat(80),
        fc.integer({ min: 1, max: 9 }),
        async (generated, cut, pieceFacts) => {
          // One line per event id: which of two different facts under one id is counted depends on their order
          // (the first wins), so only re-sent identical lines (below) may repeat an id.
          const ids = new Set<string>();
          const lines = generated.filter((l) => {
            const id = /"event_id": ?"([^"]*)"/.exec(l)?.[1];
            if (id === undefined) return true;
            if (ids.has(id)) return false;
            ids.add(id);
            return true;
          });
          const exemplarsOf = async (segments: string[][], pieces?: number) =>
            (await scanned(segments, pieces)).aggregator.rows().map((r) => [r.minuteMs, r.path, r.exemplars]);
          const reversed = [...lines].reverse();
          const expected = await exemplarsOf([lines]);
          expect(await exemplarsOf([reversed.slice(0, cut), reversed.slice(cut)])).toEqual(expected);
          expect(await exemplarsOf([[...lines, ...lines]], pieceFacts)).toEqual(expected);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keeps the slowest request and the latest 5xx of each minute and endpoint, with trace and span ids', async () => {
    const at = (i: number, second: number, latency: number, status: number, trace?: string) =>
      JSON.stringify({
        kind: 'fact',
        event_id: `x-${i}`,
        ts: hourMs + second * 1000,
        service: 's',
        method: 'GET',
        path: '/',
        status_code: status,
        latency_ms: latency,
        ...(trace === undefined ? {} : { trace_id: trace, span_id: `${trace.slice(0, 15)}${i}` }),
      });
    const t = (n: number) => String(n).repeat(32);
    const lines = [
      at(0, 1, 900, 200), // the slowest, but without a trace: not an exemplar
      at(1, 2, 120, 200, t(1)),
      at(2, 3, 80, 503, t(2)),
      at(3, 50, 30, 500, t(3)), // the latest 5xx
      at(4, 10, 120, 200, t(4)), // as slow as t(1): the smaller trace id wins
      at(5, 61, 5, 200, t(5)), // the next minute
    ];
    const rows = (await scanned([lines])).aggregator.rows();
    expect(rows.map((r) => r.exemplars)).toEqual([
      {
        slowest: {
          traceId: t(1),
          spanId: `${t(1).slice(0, 15)}1`,
          latencyMs: 120,
          statusCode: 200,
          ts: hourMs + 2000,
        },
        failed: {
          traceId: t(3),
          spanId: `${t(3).slice(0, 15)}3`,
          latencyMs: 30,
          statusCode: 500,
          ts: hourMs + 50_000,
        },
      },
      {
        slowest: {
          traceId: t(5),
          spanId: `${t(5).slice(0, 15)}5`,
          latencyMs: 5,
          statusCode: 200,
          ts: hourMs + 61_000,
        },
        failed: null,
      },
    ]);
    expect((await inThread([lines])).aggregator.rows()).toEqual(rows);
  });

  it('counts a zero and a subnormal latency in the zero count and 2^-1022 in a bucket', async () => {
    const lines = [0, 5e-324, 2 ** -1022].map((latencyMs, i) =>
      JSON.stringify({
        kind: 'fact',
        event_id: `z-${i}`,
        ts: hourMs,
        service: 's',
        method: 'GET',
        path: '/',
        status_code: 200,
        latency_ms: latencyMs,
      }),
    );
    const [row] = (await scanned([lines])).aggregator.rows();
    expect(row?.latency.zeroCount).toBe(2);
    expect(row?.latency.indexes).toEqual([Math.ceil(Math.log(2 ** -1022) / Math.log(1.01 / 0.99))]);
  });
});
