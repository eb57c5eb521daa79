import { rollUpMinutesToQuarters, type QuarterMetricsRow } from '../../domain/hour-metrics.js';
import type { MinuteMetricsRow } from '../../domain/minute-metrics.js';
import { buildSeededRandom } from '../../domain/seeded-random.js';
import { decodeParquet, encodeParquet } from '../../adapters/parquet-codec.js';
import { encodeMinuteFile } from './metrics-files.js';
import { decodeRequestMinuteMeasures, encodeRequestMetrics } from './metrics-parquet.js';
import { rollUpMinuteFileToQuarters } from './minute-file-quarters.js';

const hour = Date.parse('2026-11-20T07:00:00Z');

/**
 * An hour of minute rows over `endpoints` endpoints, each present in a random subset of minutes, drawn so the merge
 * meets what clients send: all-zero latencies, sub-millisecond ones, buckets far apart (a sketch's far map), unknown
 * status splits (rows read from files written before they were stored) and sampled (estimated) counts.
 */
function drawHour(seed: number, endpoints: number): MinuteMetricsRow[] {
  const random = buildSeededRandom(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const rows: MinuteMetricsRow[] = [];
  for (let e = 0; e < endpoints; e++) {
    const key = {
      service: `svc-${pick(4)}`,
      method: ['GET', 'POST', 'DELETE'][pick(3)]!,
      path: `/r-${e}/${'é'.repeat(pick(3))}:id`,
    };
    const density = random();
    for (let m = 0; m < 60; m++)
      if (random() <= density) rows.push({ minuteMs: hour + m * 60_000, ...key, ...drawCells(random, pick) });
  }
  return rows;
}

function drawCells(random: () => number, pick: (n: number) => number) {
  const zeroOnly = random() < 0.15;
  const indexes = zeroOnly ? [] : drawIndexes(random, pick);
  const counts = indexes.map(() => 1 + pick(40));
  const zeroCount = zeroOnly ? 1 + pick(300) : pick(3);
  const requests = zeroCount + counts.reduce((s, c) => s + c, 0);
  const errors5xx = pick(Math.min(requests, 5) + 1);
  const known = random() < 0.8;
  return {
    requests,
    errors5xx,
    errors4xx: 0,
    status1xx: known ? 0 : null,
    status2xx: known ? requests - errors5xx : null,
    status3xx: known ? 0 : null,
    estimatedRequests: random() < 0.2 ? requests : 0,
    latencySumMs: zeroOnly ? 0 : random() * 10_000,
    latencyMinMs: zeroOnly ? 0 : random() * 3,
    latencyMaxMs: zeroOnly ? 0 : 3 + random() * 9_000,
    latencyP50Ms: 0,
    latencyP95Ms: 0,
    latencyP99Ms: 0,
    latency: { zeroCount, indexes, counts },
  };
}

/** Strictly increasing bucket indexes: a cluster, sometimes with one far outlier above maxDenseSpan's reach. */
function drawIndexes(random: () => number, pick: (n: number) => number): number[] {
  const start = pick(600) - 200;
  const indexes = Array.from({ length: 1 + pick(12) }, (_, i) => start + i * (1 + pick(4)));
  if (random() < 0.1) indexes.push(indexes.at(-1)! + 5_000 + pick(3_000));
  return indexes;
}

/** Rows as comparable text, whatever order each path builds their properties in. */
const rowsText = (rows: readonly QuarterMetricsRow[]) =>
  rows.map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).sort()))).sort();

/** What the domain's merge of the file's decoded rows gives (the path the tile builds took before docs/adr/0144). */
const byRows = (bytes: Uint8Array) => rowsText(rollUpMinutesToQuarters(decodeRequestMinuteMeasures(bytes)));

describe('rollUpMinuteFileToQuarters', () => {
  it.each([1, 2, 3, 4, 5, 6])(
    'gives the domain merge of the decoded rows, to the bit, for a sorted minute file (seed %d)',
    (seed) => {
      // 80 endpoints: a few thousand rows, so runs straddle the file's row groups and its decoded batches.
      const bytes = encodeMinuteFile(drawHour(seed, 80));
      expect(decodeParquet(bytes).batches.length).toBeGreaterThan(1);
      const quarters = rollUpMinuteFileToQuarters(bytes);
      expect(quarters.length).toBeGreaterThan(0);
      expect(rowsText(quarters)).toEqual(byRows(bytes));
    },
  );

  it('merges each (endpoint, quarter) once, on quarter boundaries, every request and histogram count kept', () => {
    const full = drawHour(7, 30);
    const quarters = rollUpMinuteFileToQuarters(encodeMinuteFile(full));
    const keys = quarters.map((q) => `${q.quarterMs} ${q.service} ${q.method} ${q.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(quarters.every((q) => (q.quarterMs - hour) % 900_000 === 0)).toBe(true);
    const total = (r: readonly { requests: number }[]) => r.reduce((s, x) => s + x.requests, 0);
    expect(total(quarters)).toBe(total(full));
    const counted = (r: readonly { latency: { zeroCount: number; counts: number[] } }[]) =>
      r.reduce((s, x) => s + x.latency.zeroCount + x.latency.counts.reduce((a, c) => a + c, 0), 0);
    expect(counted(quarters)).toBe(counted(full));
  });

  it('merges a file written minute by minute (before docs/adr/0093) through the decoded rows, to the same rows', () => {
    const rows = drawHour(11, 40);
    const minuteOrder = encodeRequestMetrics(
      [...rows].sort((a, b) => a.minuteMs - b.minuteMs || (a.path < b.path ? -1 : 1)),
    );
    expect(rowsText(rollUpMinuteFileToQuarters(minuteOrder))).toEqual(byRows(minuteOrder));
    expect(rowsText(rollUpMinuteFileToQuarters(minuteOrder))).toEqual(
      rowsText(rollUpMinuteFileToQuarters(encodeMinuteFile(rows))),
    );
  });

  it('reads a file without the later columns (status classes, estimated requests) as unknown and not estimated', () => {
    const sorted = decodeParquet(encodeMinuteFile(drawHour(12, 20)));
    const later = ['status_1xx', 'status_2xx', 'status_3xx', 'estimated_requests'];
    const older = encodeParquet(
      sorted.select(sorted.schema.fields.map((f) => f.name).filter((n) => !later.includes(n))),
    );
    const quarters = rollUpMinuteFileToQuarters(older);
    expect(quarters.length).toBeGreaterThan(0);
    expect(quarters.every((q) => q.status2xx === null && q.estimatedRequests === 0)).toBe(true);
    expect(rowsText(quarters)).toEqual(byRows(older));
  });

  it('gives no rows for an empty file', () => {
    expect(rollUpMinuteFileToQuarters(encodeMinuteFile([]))).toEqual([]);
  });
});
