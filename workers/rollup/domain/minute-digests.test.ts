import { MinuteMetricsAggregator } from '../../domain/minute-metrics.js';
import type { RawFact } from '../../domain/raw-record.js';
import { buildSeededFacts } from '../testing/seeded-raw-events.js';
import { buildMinuteDigests, emptyMinuteDigest } from './minute-digests.js';

const hourStart = Date.parse('2026-11-23T10:00:00Z');

function aggregateMinutes(facts: readonly RawFact[]) {
  const aggregator = new MinuteMetricsAggregator();
  for (const fact of facts) aggregator.add(fact);
  return aggregator.rows();
}

describe('buildMinuteDigests', () => {
  it("changes a minute's digest only when that minute's rows change, in any row order, and marks empty minutes", () => {
    const facts = buildSeededFacts({ seed: 7, count: 300, fromMs: hourStart, spanMs: 30 * 60_000 });
    const rows = aggregateMinutes(facts);
    const digests = buildMinuteDigests(rows, hourStart);
    expect(digests).toHaveLength(60);
    expect(digests.slice(30)).toEqual(Array(30).fill(emptyMinuteDigest));
    expect(buildMinuteDigests([...rows].reverse(), hourStart)).toEqual(digests);
    // One slower request in minute 12: its latency histogram and sum change, nothing else does.
    const late = { ...facts[0]!, event_id: 'late', ts: hourStart + 12 * 60_000 + 5, latency_ms: 987 };
    const changed = buildMinuteDigests(aggregateMinutes([...facts, late]), hourStart);
    expect(changed.map((d, i) => (d === digests[i] ? '=' : i))).toEqual(
      digests.map((_, i) => (i === 12 ? 12 : '=')),
    );
  });
});
