import {
  buildRawPartition,
  buildRawSegmentKey,
  parseRawSegmentKey,
  partitionStartMs,
} from './raw-partition.js';

describe('raw partitions', () => {
  it('places an event in the UTC hour of its event time', () => {
    expect(buildRawPartition('acme', Date.parse('2026-11-23T23:59:59.999Z'))).toEqual({
      tenant: 'acme',
      date: '2026-11-23',
      hour: '23',
    });
  });

  it('round-trips a segment key through parse', () => {
    const p = buildRawPartition('acme', Date.parse('2026-01-02T03:04:05Z'));
    const key = buildRawSegmentKey(p, 'ingest-0', 42);
    expect(key).toBe('raw/tenant=acme/date=2026-01-02/hour=03/ingest-0-000000000042.jsonl.gz');
    expect(parseRawSegmentKey(key)).toEqual({ ...p, file: 'ingest-0-000000000042' });
    expect(partitionStartMs(p)).toBe(Date.parse('2026-01-02T03:00:00Z'));
  });

  it('rejects a key outside the raw layout, naming the key', () => {
    expect(() => parseRawSegmentKey('metrics/x.parquet')).toThrow(
      "key 'metrics/x.parquet' is not a raw segment key",
    );
  });
});
