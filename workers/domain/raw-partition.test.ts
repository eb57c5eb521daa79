import {
  buildRawPartition,
  buildRawSegmentKey,
  buildSegmentObjectKey,
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

  it('names segment objects <ingester>-<seq>-<segment id>, and parses them and the older ids-less names alike', () => {
    const p = buildRawPartition('acme', Date.parse('2026-01-02T03:04:05Z'));
    const identity = { ingesterId: 'ingest-0', seq: 42, segmentId: '0123456789abcdef' };
    const key = buildSegmentObjectKey('raw', p, identity);
    expect(key).toBe(
      'raw/tenant=acme/date=2026-01-02/hour=03/ingest-0-000000000042-0123456789abcdef.jsonl.gz',
    );
    expect(buildRawSegmentKey(p, 'ingest-0', 42, '0123456789abcdef')).toBe(key);
    expect(parseRawSegmentKey(key)).toEqual({ ...p, file: 'ingest-0-000000000042-0123456789abcdef' });
    expect(buildSegmentObjectKey('dead-letter', p, identity)).toBe(
      'dead-letter/tenant=acme/date=2026-01-02/hour=03/ingest-0-000000000042-0123456789abcdef.jsonl.gz',
    );
  });

  it('sorts a later sequence number after an earlier one, whatever the segment ids', () => {
    const p = buildRawPartition('acme', 0);
    const keys = [
      buildRawSegmentKey(p, 'ingest-0', 10, '0000000000000000'),
      buildRawSegmentKey(p, 'ingest-0', 9, 'ffffffffffffffff'),
    ];
    expect([...keys].sort()).toEqual([keys[1], keys[0]]);
  });

  it('refuses a segment id that is not 16 lowercase hex digits, naming it and the rule', () => {
    expect(() => buildRawSegmentKey(buildRawPartition('acme', 0), 'ingest-0', 1, 'ABC/..')).toThrow(
      "segment id 'ABC/..' must match ^[0-9a-f]{16}$",
    );
  });

  it('rejects a key outside the raw layout, naming the key', () => {
    expect(() => parseRawSegmentKey('metrics/x.parquet')).toThrow(
      "key 'metrics/x.parquet' is not a raw segment key",
    );
  });
});
