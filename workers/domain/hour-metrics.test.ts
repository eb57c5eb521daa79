import { buildSeededRandom } from './seeded-random.js';
import { rollUpHoursToDays, rollUpMinutesToHours, rollUpToServices } from './hour-metrics.js';
import { MinuteMetricsAggregator, mergeMinuteMetrics, type MinuteFactInput } from './minute-metrics.js';

const hour = Date.parse('2026-11-20T10:00:00Z');

function facts(count: number): MinuteFactInput[] {
  const random = buildSeededRandom(7);
  return Array.from({ length: count }, () => ({
    ts: hour + Math.floor(random() * 2 * 3_600_000),
    service: random() < 0.5 ? 'checkout' : 'search',
    method: random() < 0.7 ? 'GET' : 'POST',
    path: `/items/${Math.floor(random() * 3)}`,
    status_code: random() < 0.05 ? 503 : random() < 0.1 ? 404 : 200,
    latency_ms: Math.exp(3 + random() * 3),
  }));
}

describe('rollUpMinutesToHours', () => {
  const input = facts(20_000);
  const aggregator = new MinuteMetricsAggregator();
  for (const f of input) aggregator.add(f);
  const minutes = aggregator.rows();
  const hours = rollUpMinutesToHours(minutes);

  it('keeps one row per (hour, service, method, path), sorted', () => {
    const keys = hours.map((h) => `${h.hourMs} ${h.service} ${h.method} ${h.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual([...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(new Set(hours.map((h) => h.hourMs))).toEqual(new Set([hour, hour + 3_600_000]));
    expect(hours).toHaveLength(2 * 2 * 2 * 3);
  });

  it('equals merging the minute rows of the same hour and endpoint', () => {
    for (const h of hours) {
      const filter = {
        service: h.service,
        method: h.method,
        path: h.path,
        fromMs: h.hourMs,
        toMs: h.hourMs + 3_600_000,
      };
      const merged = mergeMinuteMetrics(minutes, filter);
      expect(h.requests).toBe(merged.requests);
      expect(h.errors5xx).toBe(merged.errors5xx);
      expect(h.errors4xx).toBe(merged.errors4xx);
      expect(h.latencySumMs).toBeCloseTo(merged.latencySumMs, 6);
      expect(h.latencyMinMs).toBe(merged.latencyMinMs);
      expect(h.latencyMaxMs).toBe(merged.latencyMaxMs);
      expect(h.latencyP95Ms).toBe(merged.quantile(0.95));
      const bucketTotal = h.latency.counts.reduce((a, b) => a + b, h.latency.zeroCount);
      expect(bucketTotal).toBe(h.requests);
    }
  });

  it('gives the exact per-hour request count of the raw facts', () => {
    const first = hours.filter((h) => h.hourMs === hour).reduce((sum, h) => sum + h.requests, 0);
    expect(first).toBe(input.filter((f) => f.ts < hour + 3_600_000).length);
  });
});

describe('rollUpToServices', () => {
  const aggregator = new MinuteMetricsAggregator();
  for (const f of facts(5_000)) aggregator.add(f);
  const minutes = aggregator.rows();

  it.each([
    ['minute', 60_000],
    ['hour', 3_600_000],
  ] as const)('merges every endpoint of a service per %s', (resolution, spanMs) => {
    const rows = rollUpToServices(minutes, resolution);
    expect(rows.map((r) => `${r.startMs} ${r.service}`)).toEqual(
      [...new Set(minutes.map((m) => `${m.minuteMs - (m.minuteMs % spanMs)} ${m.service}`))].sort(),
    );
    for (const row of rows.slice(0, 50)) {
      const merged = mergeMinuteMetrics(minutes, {
        service: row.service,
        fromMs: row.startMs,
        toMs: row.startMs + spanMs,
      });
      expect([row.requests, row.errors5xx, row.errors4xx]).toEqual([
        merged.requests,
        merged.errors5xx,
        merged.errors4xx,
      ]);
      expect(row.latencyP99Ms).toBe(merged.quantile(0.99));
      expect(Object.keys(row)).not.toContain('path');
    }
  });
});

describe('rollUpHoursToDays', () => {
  it('merges hour rows into one row per endpoint and UTC day, equal to merging the minutes directly', () => {
    const aggregator = new MinuteMetricsAggregator();
    for (const f of facts(8_000)) aggregator.add({ ...f, ts: f.ts + 12 * 3_600_000 });
    const minutes = aggregator.rows();
    const days = rollUpHoursToDays(rollUpMinutesToHours(minutes));
    expect(new Set(days.map((d) => d.dayMs))).toEqual(new Set([Date.parse('2026-11-20T00:00:00Z')]));
    for (const d of days) {
      const merged = mergeMinuteMetrics(minutes, { service: d.service, method: d.method, path: d.path });
      expect([d.requests, d.errors5xx, d.latencyP95Ms]).toEqual([
        merged.requests,
        merged.errors5xx,
        merged.quantile(0.95),
      ]);
    }
  });
});
